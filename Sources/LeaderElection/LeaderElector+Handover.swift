extension LeaderElector {
    /// Hands leadership over on purpose, for maintenance, without waiting out a lease.
    ///
    /// Only the leader accepts. It first stops its work exactly as at the renew deadline (cancels
    /// `onStartedLeading` and waits for it to return, and lets a renewal in flight finish), then writes
    /// a record, with the term kept, that names `target` as holder with a fresh renewTime and a whole
    /// lease. The target, seeing a record that names it which it did not write, claims it at its next
    /// attempt with a new term; every other copy (client-go's too) sees a valid lease and waits, so if
    /// the target is gone the lease simply runs out. Without a target the lease is released (an empty
    /// holder), and another copy takes it at its next attempt. Either way this copy then stays out
    /// for one lease while the lock still holds its record, and names nobody as leader meanwhile.
    /// - Parameter target: the identity to hand over to, or nil to release for any other copy.
    /// - Returns: once the work has stopped and the record was written (or failed to be: see `Handover`).
    /// - Throws: `HandoverError` when refused (not the leader, to itself, an empty target, another
    ///   handover under way) or when leadership ended otherwise first; `CancellationError` when the
    ///   caller stopped waiting (the handover goes on).
    public func handOver(to target: String?) async throws -> Handover {
        if target?.isEmpty == true { throw HandoverError.emptyTarget }
        let now = time.now()
        guard leadsNow(at: now), let requests = handoverRequests else {
            throw HandoverError.notLeader(leader: leaderSignal(at: now))
        }
        if target == identity { throw HandoverError.toSelf(identity) }
        guard pendingHandover == nil else { throw HandoverError.underWay }
        let (replies, reply) = AsyncStream.makeStream(of: Result<Handover, HandoverError>.self)
        let request = HandoverRequest(target: target, reply: reply)
        pendingHandover = request
        requests.yield(request)
        for await result in replies { return try result.get() }
        throw CancellationError()
    }

    /// The handover's end of a term: waits for a request; ends with the term's task group.
    nonisolated func awaitHandover(_ requests: AsyncStream<HandoverRequest>) async -> LeadershipEnd {
        for await request in requests { return .handover(target: request.target) }
        return .cancelled
    }

    /// After the work has stopped: writes the record naming `target` (or the release), answers the
    /// caller, and stays out while the lock holds that record.
    func completeHandover(to target: String?, term: Int) async {
        let problem = await yieldLease(to: target ?? "")
        if problem == nil { standAside = observation.raw }
        accountHistory(at: time.now())
        answerHandover(.success(Handover(target: target, term: term, written: problem == nil, problem: problem)))
    }

    /// Answers the pending handover, if any.
    func answerHandover(_ result: Result<Handover, HandoverError>) {
        guard let pending = pendingHandover else { return }
        pendingHandover = nil
        pending.reply.yield(result)
        pending.reply.finish()
    }
}
