import Logging

/// The outcome of one `tryAcquire` or `tryRenew`.
enum Attempt: Equatable, Sendable {
    /// The record names us with `term`, and has since the attempt that started at `since` (our clock).
    case succeeded(term: Int, since: Duration)
    /// Nothing decided (lease held by another, network error, conflict): try again later. `reason` is
    /// what the lock said when a call failed, for the line that ends a term at the renew deadline.
    case failed(reason: String?)
    /// While renewing, the lock answered that the record is no longer ours (the reason says why).
    case notOurs(String)
}

/// What the one read of an attempt found.
private enum Read {
    /// The call failed; `reason` is what the lock said.
    case failed(reason: String)
    /// No record is stored (a real "not found").
    case missing
    /// The stored content is not a record.
    case invalid(ResourceLockError)
    /// A record, and the write of ours it is, if any.
    case record(ObservedRecord, ours: OwnWrites.Write?)
}

/// How one write ended; a failure carries what the lock said.
private enum WriteOutcome {
    case written
    /// Refused: nothing of ours is stored.
    case conflict(String)
    /// Failed without a clear answer; it may have landed.
    case failed(String)
}

extension LeaderElector {
    /// client-go's tryAcquireOrRenew for a candidate: reads the lock, then claims a lease that is free,
    /// expired, ours from an earlier run, or missing; or finds that a claim in doubt landed.
    func tryAcquire() async -> Attempt {
        // Taken before any call: expiry and success are both dated from the earliest moment this
        // attempt could act.
        let now = time.now()
        switch await read() {
        case .failed(let reason): return .failed(reason: reason)
        case .missing: return await create(now: now)
        case .invalid(let error): return await overwriteInvalidIfExpired(error, now: now)
        case .record(let stored, let ours): return await acquire(stored, ours: ours, now: now)
        }
    }

    /// client-go's tryAcquireOrRenew for the leader. It first tries the fast path: a write that names its
    /// last confirmed write as the expected bytes, with no read, since the lock compares before it
    /// writes; a conflict falls through to a read (which also finds a write in doubt that landed). It
    /// never writes a new term: a record that names someone else, or nobody, or is gone or unreadable,
    /// ends the term.
    func tryRenew() async -> Attempt {
        let now = time.now()
        if case .leading(let term, _) = phase, let last = writes.confirmed, observation.raw == last.bytes {
            switch await write(renewal(of: last.record), expecting: last.bytes, now: now) {
            case .written: return .succeeded(term: term, since: now)
            case .failed(let reason): return .failed(reason: reason)
            case .conflict: break
            }
        }
        switch await read() {
        case .failed(let reason): return .failed(reason: reason)
        case .missing: return .notOurs("the lease lock was deleted")
        case .invalid: return .notOurs("the lease lock holds content that is not a lease record")
        case .record(let stored, let ours): return await renew(stored, ours: ours, now: now)
        }
    }

    /// The one read both attempts make: notes what the lock holds, and settles the writes in doubt (the
    /// lock answered, so it shows whatever they did: one that landed counts as a success from the start
    /// of its attempt, the others never will).
    private func read() async -> Read {
        let stored: ObservedRecord?
        do {
            stored = try await lock.get()
            metrics.lockCall(.get, stored == nil ? .notFound : .success)
            lockAnswered()
        } catch let error as ResourceLockError where error.code == .invalidRecord {
            metrics.lockCall(.get, .invalid)
            lockAnswered()
            writes.clearDoubts()
            if error.raw != observation.raw || !observation.invalid {
                observation.noteInvalid(raw: error.raw, at: time.now())
                logger.error(
                    """
                    lease lock \(lock.describe) holds content that is not a lease record: \(error.message); \
                    it will be overwritten if it stays unchanged for \(config.leaseDuration.text)
                    """)
            }
            return .invalid(error)
        } catch {
            metrics.lockCall(.get, .error)
            metrics.lockError(error)
            lockFailed(error)
            reportFailure("error retrieving resource lock \(lock.describe)", error)
            return .failed(reason: "\(error)")
        }
        guard let stored else {
            // Only a real "not found" leads here: every other failure threw above.
            writes.clearDoubts()
            return .missing
        }
        if stored.raw != observation.raw {
            // Noted after the read, so a holder is always granted at least its full lease from our view.
            observation.note(stored.record, raw: stored.raw, at: time.now())
            let holder = stored.record.holderIdentity
            if !holder.isEmpty, holder != identity, stored.raw != standAside { otherHolderSeen = observation.time }
        }
        let ours = writes.matching(stored.raw)
        if let ours { writes.confirm(ours) } else { writes.clearDoubts() }
        return .record(stored, ours: ours)
    }

    private func renew(_ stored: ObservedRecord, ours: OwnWrites.Write?, now: Duration) async -> Attempt {
        guard case .leading(let term, let lastRenewal) = phase else { return .notOurs("this copy does not lead") }
        let holder = stored.record.holderIdentity
        guard let ours, ours.record.leaderTransitions == term, holder == identity else {
            if holder.isEmpty { return .notOurs("the lease was released by someone else") }
            if holder != identity { return .notOurs("the lease is now held by \(holder)") }
            return .notOurs("the lease record names this copy but is not a write of its current term")
        }
        if ours.started > lastRenewal { phase = .leading(term: term, lastRenewal: ours.started) }
        switch await write(renewal(of: ours.record), expecting: stored.raw, now: now) {
        case .written: return .succeeded(term: term, since: now)
        case .conflict(let reason), .failed(let reason): return .failed(reason: reason)
        }
    }

    private func acquire(_ stored: ObservedRecord, ours: OwnWrites.Write?, now: Duration) async -> Attempt {
        let current = stored.record
        let holder = current.holderIdentity
        // A claim of ours that landed although its answer was lost (or came late): it leads from the
        // start of its attempt, if that is recent enough to lead at all and its term is still new.
        if let ours, ours.record.holderIdentity == identity, observation.terms.mayStart(ours.record.leaderTransitions),
            now - ours.started < config.renewDeadline
        {
            logMemory.loggedFailure = nil
            return .succeeded(term: ours.record.leaderTransitions, since: ours.started)
        }
        // A record naming us that this run did not write (we restarted) is ours to claim at once, with a
        // new term. One this run wrote is, once its term ended or it came too late, a lease like any
        // other: rewriting it would only reset every follower's wait.
        // The record of our own handover (to a target, or released) is left for one lease to others.
        let ownHandover = standAside == stored.raw
        let claimAtOnce = !ownHandover && (holder.isEmpty || (holder == identity && ours == nil))
        if !claimAtOnce, let observedTime = observation.time {
            let lease = ownHandover ? config.leaseDuration : honouredLease(of: current)
            if observedTime + lease > now {
                logger.debug("lease is held by \(holder) and has not yet expired", metadata: ["holder": "\(holder)"])
                logMemory.loggedFailure = nil
                return .failed(reason: nil)
            }
        }
        guard let record = newClaim() else { return .failed(reason: nil) }
        // The previous holder's last renewal that this copy saw: the failover is measured from it.
        claimFrom = otherHolderSeen
        switch await write(record, expecting: stored.raw, now: now) {
        case .written: return .succeeded(term: record.leaderTransitions, since: now)
        case .conflict(let reason), .failed(let reason): return .failed(reason: reason)
        }
    }

    /// Content that is not a record counts as a lease held by nobody we know, which expires once the
    /// same bytes stayed unchanged for our own leaseDuration; then it is overwritten, compare-before-write.
    private func overwriteInvalidIfExpired(_ error: ResourceLockError, now: Duration) async -> Attempt {
        guard let observedTime = observation.time, observedTime + config.leaseDuration <= now else {
            return .failed(reason: nil)
        }
        logger.warning(
            "overwriting lease lock \(lock.describe): its invalid content has not changed for \(config.leaseDuration.text)")
        guard let record = newClaim() else { return .failed(reason: nil) }
        switch await write(record, expecting: error.raw, now: now) {
        case .written: return .succeeded(term: record.leaderTransitions, since: now)
        case .conflict(let reason), .failed(let reason): return .failed(reason: reason)
        }
    }

    private func create(now: Duration) async -> Attempt {
        guard let record = newClaim() else { return .failed(reason: nil) }
        let outcome = await write(
            .create, record, now: now,
            conflict: "lease lock \(lock.describe) was created by another copy first; following it",
            failure: "error initially creating lease lock \(lock.describe)"
        ) { try await lock.create(record) }
        switch outcome {
        case .written: return .succeeded(term: record.leaderTransitions, since: now)
        case .conflict(let reason), .failed(let reason): return .failed(reason: reason)
        }
    }

    /// A new claim of the lease for this copy at the next term; `nil`, reported, when no term is left.
    private func newClaim() -> LeaderElectionRecord? {
        guard let term = observation.terms.next else {
            reportFailure("cannot claim lease \(lock.describe)", NoTermLeft(highest: observation.terms.highest ?? 0))
            return nil
        }
        let wallNow = wallClock()
        return LeaderElectionRecord(
            holderIdentity: identity, leaseDurationSeconds: config.leaseDurationSeconds,
            acquireTime: wallNow, renewTime: wallNow, leaderTransitions: term)
    }

    /// `record` with a fresh renewTime: same holder, acquireTime and term.
    private func renewal(of record: LeaderElectionRecord) -> LeaderElectionRecord {
        var renewed = record
        renewed.leaseDurationSeconds = config.leaseDurationSeconds
        renewed.renewTime = wallClock()
        return renewed
    }

    private func write(_ record: LeaderElectionRecord, expecting raw: [UInt8], now: Duration) async -> WriteOutcome {
        await write(
            .update, record, now: now,
            conflict: "lease \(lock.describe) was written by another copy first; following it",
            failure: "failed to update lease \(lock.describe)"
        ) { try await lock.update(record, expecting: raw) }
    }

    /// One write of `record` by `call`, counted as `operation`. A conflict is the election working
    /// (another copy wrote first; the next read says who holds the lease), so it is logged as
    /// `conflict`; any other failure is reported as `failure`.
    private func write(
        _ operation: ElectionMetrics.Operation, _ record: LeaderElectionRecord, now: Duration, conflict: String,
        failure: String, _ call: () async throws -> Void
    ) async -> WriteOutcome {
        do {
            try await call()
            metrics.lockCall(operation, .success)
            lockAnswered()
        } catch {
            metrics.lockCall(operation, Self.outcome(of: error))
            metrics.lockError(error)
            lockFailed(error)
            if Self.isConflict(error) {
                logger.info("\(conflict)")
            } else {
                reportFailure(failure, error)
            }
            failedWrite(error, record: record, now: now)
            return Self.isConflict(error) ? .conflict("\(error)") : .failed("\(error)")
        }
        succeeded(record, at: now)
        return .written
    }

    /// `now` precedes the write, so our renew deadline runs out no later than others' view of the lease.
    private func succeeded(_ record: LeaderElectionRecord, at now: Duration) {
        let bytes = record.jsonBytes()
        observation.note(record, raw: bytes, at: now)
        writes.confirm(.init(record: record, bytes: bytes, started: now))
        logMemory.loggedFailure = nil
    }

    /// A write refused because the lock changed since it was read: another copy won, nothing failed.
    static func isConflict(_ error: any Error) -> Bool { (error as? ResourceLockError)?.code == .conflict }

    /// Logs a failed lock call as an error the first time, and at debug level while the same failure
    /// repeats, so a problem that lasts (a rate-limit hold, an unreachable API) fills no log.
    func reportFailure(_ what: String, _ error: any Error) {
        let text = "\(error)"
        if text == logMemory.loggedFailure {
            logger.debug("\(what): \(text) (unchanged since it was logged)")
        } else {
            logger.error("\(what): \(text)")
            logMemory.loggedFailure = text
        }
    }

    /// A conflict means nothing of ours is stored (refused before writing, or overwritten since); any
    /// other failure (a timeout, a cancellation) may have come after the write landed.
    private func failedWrite(_ error: any Error, record: LeaderElectionRecord, now: Duration) {
        if !Self.isConflict(error) {
            writes.doubt(.init(record: record, bytes: record.jsonBytes(), started: now))
        }
    }

    /// Reads the lock again (after a conflicting release) and notes what it holds; false on failure.
    func refreshObservation() async -> Bool {
        do {
            guard let stored = try await lock.get() else {
                metrics.lockCall(.get, .notFound)
                lockAnswered()
                return false
            }
            metrics.lockCall(.get, .success)
            lockAnswered()
            if stored.raw != observation.raw { observation.note(stored.record, raw: stored.raw, at: time.now()) }
            return true
        } catch {
            metrics.lockCall(.get, Self.outcome(of: error))
            lockFailed(error)
            reportFailure("error retrieving resource lock \(lock.describe)", error)
            return false
        }
    }

    /// client-go's maybeReportTransition, except that a released (empty) holder is not reported.
    func reportTransition() {
        // Our own handover record names a copy that does not lead yet; it is reported once it claims.
        guard observation.raw != standAside else { return }
        if let holder = observation.holder, !holder.isEmpty, let term = observation.record?.leaderTransitions {
            history.note(holder: holder, term: term, seen: wallClock())
        }
        guard let holder = observation.holder, holder != observation.reportedLeader else { return }
        observation.reportedLeader = holder
        guard !holder.isEmpty else { return }
        metrics.transitionSeen()
        notify(.newLeader(holder))
    }

    private static func outcome(of error: any Error) -> ElectionMetrics.Outcome {
        guard let error = error as? ResourceLockError else { return .error }
        return error.code == .conflict ? .conflict : .invalid
    }
}

/// Every term up to `LeaderElectionRecord.highestTerm` was handed out; a new one would repeat one.
private struct NoTermLeft: Error, CustomStringConvertible {
    let highest: Int
    var description: String {
        "the lease's term \(highest) is the highest a record may hold, so no new term can be started "
            + "without repeating one; reset the lock (delete its file) to start terms again from 0"
    }
}
