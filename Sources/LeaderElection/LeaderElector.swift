public import Foundation
public import Logging
public import Metrics
public import ServiceLifecycle

/// Elects one leader among processes that share a `ResourceLock`: Kubernetes client-go's leader
/// election, with the same observable behaviour.
///
/// Safety model, as client-go states it:
/// - No fencing. The elector does not guarantee that only one process acts as leader; a paused or
///   partitioned leader may still be working when another takes over. Work that must never overlap
///   should check the term handed to `onStartedLeading` (the record's `leaderTransitions`, never
///   handed out twice) where it writes.
/// - It trusts only its own clock. Expiry is "the local time at which the stored bytes were last seen
///   to change, plus the record's leaseDurationSeconds", never the remote renewTime; so any clock
///   *skew* between processes is tolerated, but not clock *rate* skew. The tolerated ratio of the
///   fastest clock's rate to the slowest is about leaseDuration / renewDeadline: 30s / 15s tolerates
///   one clock running twice as fast. The leader stops leading when it could not renew for
///   renewDeadline, while others wait leaseDuration; the gap covers slow clocks and slow lock calls.
/// - A longer leaseDuration makes takeover after a crash slower (a new set of candidates always waits
///   a full lease); a shorter one makes the election less tolerant of latency and rate skew.
/// - `releaseOnCancel` hands the lease over within one retry period on shutdown instead of a whole
///   lease. It is safe only if all guarded work has stopped first: the elector cancels
///   `onStartedLeading` and waits for it to return before it writes the empty holder.
///
/// Run it as a swift-service-lifecycle `Service`: nothing starts before `run()`, and graceful shutdown
/// or cancellation ends it (releasing the lease when leading and `releaseOnCancel` is set).
/// Graceful shutdown stops the election between lock calls, never inside one: a write cancelled in
/// flight may still land, and would leave the lease held by a process that is gone. Cancelling the
/// task that runs `run()` does cancel a call in flight, and so does the renew deadline (a renewal
/// that outlives `renewDeadline`), so lock implementations should honour task cancellation and end
/// every call within a timeout of their own. A write that failed without a clear answer (a timeout,
/// a cancellation) counts as in doubt: a later read showing exactly its bytes proves it landed, dated
/// at the start of its attempt; if run() ends first, the lock is read once more and released when it
/// names us. Every term started is greater than any term seen or started before, so the term handed to
/// `onStartedLeading` works as a fencing token (client-go, unlike this, resumes its own record's term).
public actor LeaderElector: Service {
    /// The election's timings and name.
    public let config: LeaderElectionConfig
    let lock: any ResourceLock
    let callbacks: LeaderCallbacks
    let time: ElectionClock
    let wallClock: @Sendable () -> Date
    let jitter: @Sendable () -> Double
    let logger: Logger
    let metrics: ElectionMetrics
    /// The last failed lock call since the last one that succeeded, for `status()` and health.
    var lastLockError: String?

    /// What was last seen in the lock.
    var observation = Observation()
    /// Candidate, or leading with the start of its last successful renewal.
    var phase = Phase.candidate
    /// Our own writes the lock may hold.
    var writes = OwnWrites()
    /// What was logged, so that a lasting problem is logged once; no decision reads it.
    var logMemory = LogMemory()
    /// What the lock said when this term's last renewal failed; nil after a success. The line that ends
    /// the term at the renew deadline gives it as the reason.
    var renewalFailure: String?
    /// Why leadership last ended ("taken: ..." or "cut off: ..."), for `status()`.
    var lastStandDown: String?
    /// Before, during or after the one `run()`.
    private var state = RunState.initial
    /// Where a handover reaches the term under way; nil while this copy does not lead.
    var handoverRequests: AsyncStream<HandoverRequest>.Continuation?
    /// The handover asked for and not yet answered.
    var pendingHandover: HandoverRequest?
    /// The bytes of the record this copy wrote when it handed the lease over: while the lock still holds
    /// them, this copy neither claims the lease nor names anybody as leader, for one whole lease.
    var standAside: [UInt8]?
    /// Leadership history for the metrics: when it was last accounted and until when a holder was valid.
    var history = LeadershipHistory()
    /// When the record replaced by this copy's claim under way was last seen to change, for the failover time.
    var claimFrom: Duration?
    /// When a record naming another holder (not a handover of ours) was last seen to change.
    var otherHolderSeen: Duration?

    /// Creates an elector; nothing runs until `run()`.
    /// - Parameters:
    ///   - clock: the time source for every expiry and deadline (a test clock in tests).
    ///   - wallClock: the wall time written into the record's acquireTime and renewTime (never read back).
    ///   - jitter: a random number in 0..<1 that spreads candidates' retries.
    ///   - metrics: where the metrics go; the bootstrapped swift-metrics backend by default.
    public init(
        config: LeaderElectionConfig,
        lock: any ResourceLock,
        callbacks: LeaderCallbacks,
        clock: any Clock<Duration> = ContinuousClock(),
        wallClock: @escaping @Sendable () -> Date = { Date() },
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.config = config
        self.lock = lock
        self.callbacks = callbacks
        self.time = ElectionClock(clock)
        self.wallClock = wallClock
        self.jitter = jitter
        self.logger = logger
        self.metrics = ElectionMetrics(name: config.name, factory: metrics)
        self.metrics.leading(false)
    }

    /// The identity this elector writes as holder (the lock's identity).
    public nonisolated var identity: String { lock.identity }

    /// Acquires, leads and renews, and competes again after losing, until graceful shutdown or
    /// cancellation; then releases the lease if leading and `releaseOnCancel` is set, and returns.
    /// An elector runs once: a second `run()`, during or after the first, throws, since its terms,
    /// observations and callbacks belong to that run (a `ServiceGroup` runs each service once, too).
    /// - Throws: `LeaderElectionConfigError` (`.emptyIdentity`) at once when the lock's identity is
    ///   empty, since an empty holder means "free" to every other copy; `LeaderElectorError`
    ///   `.alreadyRunning` or `.alreadyRan` when `run()` was called before on this elector.
    public func run() async throws {
        guard !identity.isEmpty else { throw LeaderElectionConfigError.emptyIdentity }
        switch state {
        case .initial: break
        case .running: throw LeaderElectorError.alreadyRunning
        case .finished: throw LeaderElectorError.alreadyRan
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Notification.self)
        state = .running(Run(notifications: continuation))
        // Unstructured, owned and awaited below, so it never outlives run(): graceful shutdown must
        // cancel it at once, inside the trigger, which can single out no child task. That stops the
        // election loop but not an attempt in flight; cancelling run() itself cancels both.
        let election = Task { await self.elect() }
        let (electionEnded, endElection) = AsyncStream.makeStream(of: Never.self)
        await withDiscardingTaskGroup { group in
            group.addTask { [callbacks] in
                // Shielded, so that cancelling run() cannot drop a notification; ends with the queue.
                await self.shielded { await Notification.deliver(stream, to: callbacks) }
            }
            group.addTask {
                // Waits for the election's end, or for run() to be cancelled: then the attempt in
                // flight, which the election's own cancellation spares, is cancelled too.
                for await _ in electionEnded {}
                if Task.isCancelled { await self.cancelAttemptInFlight() }
            }
            await withTaskCancellationHandler {
                await withGracefulShutdownHandler {
                    await election.value
                } onGracefulShutdown: {
                    election.cancel()
                }
            } onCancel: {
                election.cancel()
            }
            endElection.finish()
            // As client-go's deferred OnStoppedLeading: also when run() ends without leading.
            if case .running(let run) = state, !run.stoppedAtExit { notify(.stoppedLeading) }
            state = .finished
            continuation.finish()
        }
    }

    /// A snapshot for status endpoints, judged now: a leader past its renew deadline no longer leads,
    /// even before the watchdog has ended its term. It only reads: asking changes nothing, not even a
    /// metric (see `refreshMetrics()`).
    public func status() -> ElectorStatus {
        let now = time.now()
        let leader = leaderSignal(at: now)
        var status = ElectorStatus(
            identity: identity, election: config.name, isLeader: leadsNow(at: now), leader: leader,
            observedRecord: observation.invalid ? nil : observation.record,
            sinceObservedChange: observation.time.map { now - $0 },
            sinceLastRenewal: phase.lastRenewal.map { now - $0 }, lock: lock.describe, lastStandDown: lastStandDown,
            lastLockError: lastLockError)
        status.leaderTerm = leader.isEmpty ? nil : leaderTerm
        status.transitions = history.transitions
        return status
    }

    /// Brings the metrics that move with time alone up to now (leaderless time, the lease's age, and
    /// leadership past the renew deadline); the elector sets the others as its state changes. Call it
    /// before a scrape.
    public func refreshMetrics() {
        let now = time.now()
        metrics.leading(leadsNow(at: now))
        accountHistory(at: now)
    }

    /// How many of this elector's tasks sleep on its clock once it has nothing to do until time moves
    /// on: the candidate's pause between attempts, or the leader's renew loop and watchdog (a lock call
    /// that sleeps on the same clock stands in for the loop that waits for it). An elector not yet
    /// running counts as the candidate it is about to be; one that ran, as none. For a test clock that
    /// waits until everything is parked without knowing the elector's insides.
    package var sleepersWhenIdle: Int {
        switch state {
        case .initial: 1
        case .running: phase == .candidate ? 1 : 2
        case .finished: 0
        }
    }

    /// The term of whom `leaderSignal` names: ours while leading, else the observed record's.
    private var leaderTerm: Int? {
        if case .leading(let term, _) = phase { return term }
        return observation.invalid ? nil : observation.record?.leaderTransitions
    }

    /// Whether this copy leads and is still within its renew deadline.
    func leadsNow(at now: Duration) -> Bool {
        guard let lastRenewal = phase.lastRenewal else { return false }
        return now - lastRenewal < config.renewDeadline
    }

    /// Who a workload should take as leader now: this copy while it leads within its deadline; another
    /// holder while our observation of it is younger than its lease; otherwise nobody.
    func leaderSignal(at now: Duration) -> String {
        if leadsNow(at: now) { return identity }
        // Our own handover record names a copy that does not lead yet.
        guard let record = observation.record, !observation.invalid, let seen = observation.time,
            !record.holderIdentity.isEmpty, record.holderIdentity != identity, observation.raw != standAside
        else { return "" }
        return now - seen < config.honouredLease(seconds: record.leaseDurationSeconds) ? record.holderIdentity : ""
    }

    /// Queues a callback; dropped when `run()` is not under way.
    func notify(_ notification: Notification) {
        guard case .running(let run) = state else { return }
        run.notifications.yield(notification)
    }

    /// Notes that onStoppedLeading was reported for leadership that ended with `run()`.
    func noteStoppedAtExit() {
        guard case .running(var run) = state else { return }
        run.stoppedAtExit = true
        state = .running(run)
    }

    /// The lock attempt under way, which only the renew deadline or a cancelled `run()` may cancel.
    var attemptInFlight: Task<Attempt, Never>? {
        get {
            guard case .running(let run) = state else { return nil }
            return run.attemptInFlight
        }
        set {
            guard case .running(var run) = state else { return }
            run.attemptInFlight = newValue
            state = .running(run)
        }
    }
}

/// The elector's life around its one `run()`, as swift-service-lifecycle's services keep it: one
/// state, so that what only a run has cannot outlive it or exist before it.
private enum RunState {
    /// Made; `run()` not called yet.
    case initial
    /// `run()` is under way.
    case running(Run)
    /// `run()` has returned; the elector does not run again.
    case finished
}

/// What exists only while `run()` is under way.
private struct Run {
    /// Where callbacks are queued, delivered one at a time off the election loop.
    var notifications: AsyncStream<Notification>.Continuation
    /// The lock attempt under way (see `shieldedAttempt`).
    var attemptInFlight: Task<Attempt, Never>?
    /// Whether onStoppedLeading was already reported for leadership that ended with `run()`.
    var stoppedAtExit = false
}
