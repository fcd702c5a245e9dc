import Logging

/// Why a term of leadership ended.
enum LeadershipEnd: Sendable {
    /// No successful renewal for renewDeadline (slow or failing lock, or a paused process); the reason
    /// says what the last attempt met.
    case renewDeadline(reason: String)
    /// The lock says the record is no longer ours (another holder, released, deleted or unreadable).
    case notOurs(String)
    /// run() is ending.
    case cancelled
    /// A handover was asked for: to `target`, or released for any other copy when nil.
    case handover(target: String?)
}

extension LeaderElector {
    /// Competes, leads, and competes again, until the task is cancelled; then releases a lease that a
    /// write in doubt may have taken.
    func elect() async {
        while let term = await acquire() {
            await lead(term: term)
        }
        await releaseIfWriteInDoubt()
    }

    /// client-go's acquire: attempts at once, then every retryPeriod plus jitter (measured from the end
    /// of the previous attempt) until one succeeds within the renew deadline. Returns the term, or nil
    /// when cancelled.
    func acquire() async -> Int? {
        guard !Task.isCancelled else { return nil }
        log(.info, "attempting to acquire leader lease \(lock.describe)...", event: .acquiring)
        while !Task.isCancelled {
            // A success that finishes after graceful shutdown began still leads (briefly, with
            // onStartedLeading already cancelled), and so releases the lease, as client-go does.
            claimFrom = nil
            let attempt = await shieldedAttempt { await self.tryAcquire() }
            reportTransition()
            accountHistory(at: time.now())
            if case .succeeded(let term, let since) = attempt {
                let took = time.now() - since
                if took < config.renewDeadline {
                    observation.terms.started(term)
                    phase = .leading(term: term, lastRenewal: since)
                    renewalFailure = nil
                    metrics.leading(true)
                    if let claimFrom { metrics.failedOver(after: since - claimFrom) }
                    accountHistory(at: time.now())
                    await lock.recordEvent("\(identity) became leader")
                    log(.info, "successfully acquired lease \(lock.describe)", event: .acquired, ["term": "\(term)"])
                    return term
                }
                // Leading now would start the work after the deadline by which others may take over.
                log(
                    .warning,
                    "acquired lease \(lock.describe) too late to lead: the attempt took \(took.text), "
                        + "not less than the renew deadline \(config.renewDeadline.text)",
                    event: .acquiredTooLate, ["term": "\(term)"])
            } else {
                logger.debug("failed to acquire lease \(lock.describe)")
            }
            // Clamped, so a faulty random source can neither spin nor stall the loop.
            let spread = min(max(jitter(), 0), 1)
            let pause = config.retryPeriod * (1 + LeaderElectionConfig.jitterFactor * spread)
            do { try await time.sleep(until: time.now() + pause) } catch { return nil }
        }
        return nil
    }

    /// Leads one term: runs onStartedLeading beside the renew loop, cancels it the moment the term ends
    /// (even while a lock call in flight ignores cancellation), then winds down in client-go's order
    /// (release, event) before reporting onStoppedLeading.
    func lead(term: Int) async {
        let (gate, opener) = AsyncStream.makeStream(of: Never.self)
        notify(.startLeading(opener))
        let end = await keepRenewing { [callbacks] in
            for await _ in gate {}
            // Called even if the term is already over, already cancelled, as client-go does; so
            // every onStoppedLeading of a term follows its onStartedLeading.
            await callbacks.onStartedLeading(term)
        }
        // Only now has the guarded work returned, so releasing cannot overlap it with the next leader.
        let release = config.releaseOnCancel && Task.isCancelled
        // Shielded, so that the lock calls still run when run() was cancelled.
        await shielded { await self.windDown(release: release, end: end, term: term) }
        if case .cancelled = end { noteStoppedAtExit() }
        notify(.stoppedLeading)
    }

    private func windDown(release: Bool, end: LeadershipEnd, term: Int) async {
        if case .handover(let target) = end {
            await completeHandover(to: target, term: term)
        } else {
            if release { await self.release() }
            answerHandover(.failure(.leadershipEnded(lastStandDown ?? "this copy is shutting down")))
        }
        await lock.recordEvent("\(identity) stopped leading")
    }

    /// Runs the guarded `work` beside the renew loop, while a watchdog enforces renewDeadline; returns
    /// when leadership ends and `work` has returned, with the phase already back to candidate and the
    /// work cancelled in that same actor turn. On graceful shutdown a renewal in flight is let finish
    /// before this returns, so the release that follows sees what it wrote.
    func keepRenewing(work: @escaping @Sendable () async -> Void) async -> LeadershipEnd {
        let (requests, requester) = AsyncStream.makeStream(of: HandoverRequest.self)
        handoverRequests = requester
        // Each child but the work ends the term with its answer; the work returning ends nothing
        // (client-go's OnStartedLeading may return while leading), so it answers nil.
        return await withTaskGroup(of: LeadershipEnd?.self) { group in
            group.addTask {
                await work()
                return nil
            }
            group.addTask { await self.renewLoop() }
            group.addTask { await self.watchRenewDeadline() }
            group.addTask { await self.awaitHandover(requests) }
            var end = LeadershipEnd.cancelled
            while let answer = await group.next() {
                if let answer {
                    end = answer
                    break
                }
            }
            // In one actor turn, so nobody ever sees a leader with no renewal running, and the work is
            // cancelled before waiting for a lock call that may ignore cancellation.
            accountHistory(at: time.now())
            phase = .candidate
            handoverRequests = nil
            requester.finish()
            metrics.leading(false)
            group.cancelAll()
            switch end {
            case .renewDeadline(let reason):
                // Cut off: the store did not take a renewal in time; nobody is known to have taken over.
                lastStandDown = "cut off: no renewal succeeded within the renew deadline \(config.renewDeadline.text): \(reason)"
                log(
                    .info, "failed to renew lease \(lock.describe): timed out waiting for the condition",
                    event: .lost, ["reason": "\(reason)", "cause": "cut_off"])
            case .notOurs(let reason):
                lastStandDown = "taken: \(reason)"
                log(.info, "failed to renew lease \(lock.describe): \(reason)", event: .lost, ["cause": "taken"])
            case .cancelled:
                log(.info, "stopped renewing lease \(lock.describe): shutting down", event: .stopping)
            case .handover(let target):
                let whom = target.map { "to \($0)" } ?? "to any other copy (released)"
                lastStandDown = "handed over: \(whom)"
                log(
                    .info, "stopped renewing lease \(lock.describe): handing it over \(whom)", event: .handingOver,
                    ["target": "\(target ?? "")"])
            }
            return end
        }
    }

    /// Renews every renewInterval (retryPeriod when none is set) after a success, counted from the start
    /// of that successful attempt; after a failure, retries retryPeriod after the start of the failed
    /// attempt (at once if it took longer). A wake-up past the deadline (a paused process, a clock jump)
    /// ends leadership before any lock call.
    func renewLoop() async -> LeadershipEnd {
        var next = (phase.lastRenewal ?? time.now()) + config.renewPeriod
        while true {
            do { try await time.sleep(until: next) } catch { return .cancelled }
            if renewalOverdue() { return .renewDeadline(reason: overdueReason()) }
            let start = time.now()
            let attempt = await shieldedAttempt { await self.tryRenew() }
            reportTransition()
            accountHistory(at: time.now())
            if Task.isCancelled { return .cancelled }
            switch attempt {
            case .succeeded(let term, let since):
                if renewalOverdue() { return .renewDeadline(reason: "the renewal succeeded only after the deadline") }
                phase = .leading(term: term, lastRenewal: since)
                renewalFailure = nil
                log(.trace, "successfully renewed lease \(lock.describe)", event: .renewed, ["term": "\(term)"])
                next = since + config.renewPeriod
            case .notOurs(let reason):
                return .notOurs(reason)
            case .failed(let reason):
                renewalFailure = reason
                if renewalOverdue() { return .renewDeadline(reason: overdueReason()) }
                next = max(start + config.retryPeriod, time.now())
                let streak = phase.lastRenewal
                let level: Logger.Level = logMemory.retryReportedAfter == streak ? .debug : .info
                logMemory.retryReportedAfter = streak
                let wait = Duration.milliseconds(((next - time.now()).secondsValue * 1000).rounded())
                // The failure itself was just logged, as an error, by the attempt.
                log(level, "failed to renew lease \(lock.describe), retrying in \(wait.text)", event: .renewFailed)
            }
        }
    }

    /// Ends leadership once renewDeadline has passed since the last successful renewal, even while a
    /// renewal is still waiting for the lock (it is then cancelled).
    func watchRenewDeadline() async -> LeadershipEnd {
        while true {
            let deadline = (phase.lastRenewal ?? time.now()) + config.renewDeadline
            do { try await time.sleep(until: deadline) } catch { return .cancelled }
            if renewalOverdue() {
                let reason = overdueReason()
                cancelAttemptInFlight()
                return .renewDeadline(reason: reason)
            }
        }
    }

    /// Why no renewal succeeded in time, said once in the line that ends the term.
    func overdueReason() -> String {
        if attemptInFlight != nil { return "a renewal was still waiting for the lock" }
        return renewalFailure ?? "no renewal was attempted in time (a paused process or a clock jump)"
    }

    func renewalOverdue() -> Bool {
        !leadsNow(at: time.now())
    }

    /// Writes an empty holder (leaseDurationSeconds 1, transitions kept) if the stored record is still
    /// ours. On conflict it reads again and retries while the record still names us, as client-go does
    /// when a renewal raced with the cancellation.
    func release() async {
        await yieldLease(to: "")
    }

    /// Writes a record naming `holder` with the term kept, if the stored record is still ours: "" is a
    /// release (leaseDurationSeconds 1); another identity gets a fresh renewTime and a whole lease (a
    /// handover). Retries after a conflict while the record still names us. Returns why it was not
    /// written, or nil.
    @discardableResult
    func yieldLease(to holder: String) async -> String? {
        let verb = holder.isEmpty ? "release" : "hand over"
        for _ in 0..<3 {
            guard let raw = observation.raw, let current = observation.record, !observation.invalid,
                current.holderIdentity == identity
            else { return "the lease record no longer names this copy" }
            let now = wallClock()
            let record = LeaderElectionRecord(
                holderIdentity: holder, leaseDurationSeconds: holder.isEmpty ? 1 : config.leaseDurationSeconds,
                acquireTime: now, renewTime: now, leaderTransitions: current.leaderTransitions)
            do {
                try await lock.update(record, expecting: raw)
                metrics.lockCall(.update, .success)
                observation.note(record, raw: record.jsonBytes(), at: time.now())
                if holder.isEmpty {
                    log(.info, "released lease \(lock.describe)", event: .released, ["term": "\(current.leaderTransitions)"])
                } else {
                    log(
                        .info, "handed lease \(lock.describe) over to \(holder)", event: .handedOver,
                        ["term": "\(current.leaderTransitions)", "target": "\(holder)"])
                }
                return nil
            } catch let error as ResourceLockError where error.code == .conflict {
                metrics.lockCall(.update, .conflict)
                logger.debug("conflict when trying to \(verb) lease \(lock.describe), reading it again")
                guard await refreshObservation() else { return "the lease changed and could not be read again" }
            } catch {
                metrics.lockCall(.update, .error)
                logger.error("failed to \(verb) lease \(lock.describe): \(error)")
                return "\(error)"
            }
        }
        logger.error("failed to \(verb) lease \(lock.describe): it kept changing; it will expire instead")
        return "the lease kept changing; it will expire instead"
    }
}
