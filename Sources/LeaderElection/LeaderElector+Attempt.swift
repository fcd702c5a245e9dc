import Logging

/// The outcome of one tryAcquireOrRenew.
enum Attempt: Equatable, Sendable {
    /// The record now names us with a fresh renewTime.
    case succeeded
    /// Nothing decided (lease held by another, network error, conflict): try again later.
    case failed
    /// While renewing, the lock answered that the record is no longer ours (the reason says why).
    case notOurs(String)
}

extension LeaderElector {
    /// client-go's tryAcquireOrRenew: one read and at most one write. When `renewing`, it never writes a
    /// new term: a record that names someone else, or nobody, or is gone or unreadable, ends our term.
    func tryAcquireOrRenew(renewing: Bool = false) async -> Attempt {
        // Taken before the read: expiry is judged against the earliest moment this attempt could act.
        let now = time.now()
        let stored: ObservedRecord?
        do {
            stored = try await lock.get()
            metrics.lockCall(.get, stored == nil ? .notFound : .success)
        } catch let error as ResourceLockError where error.code == .invalidRecord {
            metrics.lockCall(.get, .invalid)
            writeInDoubt = false
            return await overwriteInvalidIfExpired(error, now: now, renewing: renewing)
        } catch {
            metrics.lockCall(.get, .error)
            reportFailure("error retrieving resource lock \(lock.describe)", error)
            lastFailure = "\(error)"
            return .failed
        }
        // The lock answered, so whatever an earlier write in doubt did is now visible in `stored`.
        writeInDoubt = false

        guard let stored else {
            // Only a real "not found" leads here: every other failure threw above.
            if renewing { return .notOurs("the lease lock was deleted") }
            return await create(now: now)
        }

        if stored.raw != observedRaw {
            // Noted after the read, so a holder is always granted at least its full lease from our view.
            observe(stored.record, raw: stored.raw, at: time.now())
        }
        let current = stored.record
        let holder = current.holderIdentity
        if renewing && holder != identity {
            let reason = holder.isEmpty ? "the lease was released by someone else" : "the lease is now held by \(holder)"
            return .notOurs(reason)
        }
        // A record naming us is ours to renew, as client-go treats it: this is also how a write whose
        // answer was lost (a timeout after it landed) is recognised on the next attempt.
        if !holder.isEmpty, holder != identity, let observedTime {
            let lease = honouredLease(of: current)
            if observedTime + lease > now {
                logger.debug("lease is held by \(holder) and has not yet expired", metadata: ["holder": "\(holder)"])
                loggedFailure = nil
                return .failed
            }
        }

        let wallNow = wallClock()
        let newest = max(current.leaderTransitions, highestTerm ?? current.leaderTransitions)
        var record = LeaderElectionRecord(
            holderIdentity: identity, leaseDurationSeconds: config.leaseDurationSeconds,
            acquireTime: wallNow, renewTime: wallNow, leaderTransitions: Self.nextTerm(after: newest))
        // Our own record is resumed with its term only while that term is the newest we know of: a record
        // of ours with an older term is a write of ours that landed late, after another copy led with a
        // newer term, and resuming it would hand out that term twice.
        if holder == identity && current.leaderTransitions >= newest {
            record.acquireTime = current.acquireTime
            record.leaderTransitions = current.leaderTransitions
        }
        return await write(record, expecting: stored.raw, now: now)
    }

    /// Content that is not a record counts as a lease held by nobody we know, which expires once the
    /// same bytes stayed unchanged for our own leaseDuration; then it is overwritten, compare-before-write.
    private func overwriteInvalidIfExpired(
        _ error: ResourceLockError, now: Duration, renewing: Bool
    ) async -> Attempt {
        if error.raw != observedRaw || !observedInvalid {
            observedRaw = error.raw
            observedInvalid = true
            observedTime = time.now()
            logger.error(
                """
                lease lock \(lock.describe) holds content that is not a lease record: \(error.message); \
                it will be overwritten if it stays unchanged for \(config.leaseDuration.text)
                """)
        }
        if renewing { return .notOurs("the lease lock holds content that is not a lease record") }
        guard let observedTime, observedTime + config.leaseDuration <= now else { return .failed }
        logger.warning(
            "overwriting lease lock \(lock.describe): its invalid content has not changed for \(config.leaseDuration.text)")
        let wallNow = wallClock()
        let record = LeaderElectionRecord(
            holderIdentity: identity, leaseDurationSeconds: config.leaseDurationSeconds,
            acquireTime: wallNow, renewTime: wallNow,
            leaderTransitions: observedRecord.map { Self.nextTerm(after: $0.leaderTransitions) } ?? 0)
        return await write(record, expecting: error.raw, now: now)
    }

    private func create(now: Duration) async -> Attempt {
        let wallNow = wallClock()
        let record = LeaderElectionRecord(
            holderIdentity: identity, leaseDurationSeconds: config.leaseDurationSeconds,
            acquireTime: wallNow, renewTime: wallNow, leaderTransitions: 0)
        do {
            try await lock.create(record)
            metrics.lockCall(.create, .success)
        } catch {
            metrics.lockCall(.create, Self.outcome(of: error))
            reportFailure("error initially creating lease lock \(lock.describe)", error)
            failedWrite(error)
            return .failed
        }
        succeeded(record, at: now)
        return .succeeded
    }

    private func write(_ record: LeaderElectionRecord, expecting raw: [UInt8], now: Duration) async -> Attempt {
        do {
            try await lock.update(record, expecting: raw)
            metrics.lockCall(.update, .success)
        } catch {
            metrics.lockCall(.update, Self.outcome(of: error))
            reportFailure("failed to update lease \(lock.describe)", error)
            failedWrite(error)
            return .failed
        }
        succeeded(record, at: now)
        return .succeeded
    }

    /// `now` precedes the write, so our renew deadline runs out no later than others' view of the lease.
    private func succeeded(_ record: LeaderElectionRecord, at now: Duration) {
        observe(record, raw: record.jsonBytes(), at: now)
        lastRenewal = now
        lastFailure = nil
        loggedFailure = nil
        writeInDoubt = false
    }

    /// Logs a failed lock call as an error the first time, and at debug level while the same failure
    /// repeats, so a problem that lasts (a rate-limit hold, an unreachable API) fills no log.
    func reportFailure(_ what: String, _ error: any Error) {
        let text = "\(error)"
        if text == loggedFailure {
            logger.debug("\(what): \(text) (unchanged since it was logged)")
        } else {
            logger.error("\(what): \(text)")
            loggedFailure = text
        }
    }

    /// A conflict means nothing of ours is stored (refused before writing, or overwritten since); any
    /// other failure (a timeout, a cancellation) may have come after the write landed.
    private func failedWrite(_ error: any Error) {
        lastFailure = "\(error)"
        if (error as? ResourceLockError)?.code != .conflict { writeInDoubt = true }
    }

    /// The term after `term`, saturating so that a record claiming Int.max transitions cannot crash us.
    static func nextTerm(after term: Int) -> Int {
        term == .max ? .max : term + 1
    }

    /// Reads the lock again (after a conflicting release) and notes what it holds; false on failure.
    func refreshObservation() async -> Bool {
        do {
            guard let stored = try await lock.get() else {
                metrics.lockCall(.get, .notFound)
                return false
            }
            metrics.lockCall(.get, .success)
            if stored.raw != observedRaw { observe(stored.record, raw: stored.raw, at: time.now()) }
            return true
        } catch {
            metrics.lockCall(.get, Self.outcome(of: error))
            reportFailure("error retrieving resource lock \(lock.describe)", error)
            return false
        }
    }

    func observe(_ record: LeaderElectionRecord, raw: [UInt8], at instant: Duration) {
        observedRecord = record
        observedRaw = raw
        observedTime = instant
        observedInvalid = false
        highestTerm = max(highestTerm ?? record.leaderTransitions, record.leaderTransitions)
    }

    /// The holder of the last valid observation; nil while the lock holds invalid content.
    var observedHolder: String? { observedInvalid ? nil : observedRecord?.holderIdentity }

    /// client-go's maybeReportTransition, except that a released (empty) holder is not reported.
    func reportTransition() {
        guard let holder = observedHolder, holder != reportedLeader else { return }
        reportedLeader = holder
        guard !holder.isEmpty else { return }
        metrics.transitionSeen()
        notify(.newLeader(holder))
    }

    private static func outcome(of error: any Error) -> ElectionMetrics.Outcome {
        guard let error = error as? ResourceLockError else { return .error }
        return error.code == .conflict ? .conflict : .invalid
    }
}
