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
///   should check the term handed to `onStartedLeading` (the record's `leaderTransitions`) where it
///   writes.
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
/// a cancellation) counts as in doubt: the next read that names us is taken as ours (as client-go),
/// and if run() ends first, the lock is read once more and released when it names us.
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

    // What client-go calls observedRecord, observedRawRecord and observedTime.
    /// The last valid record seen or written (kept while the lock holds invalid bytes, for its term).
    var observedRecord: LeaderElectionRecord?
    /// The stored bytes last seen or written; change is detected by comparing them.
    var observedRaw: [UInt8]?
    /// When `observedRaw` last changed, on our own clock.
    var observedTime: Duration?
    /// Whether `observedRaw` is content that is not a record.
    var observedInvalid = false
    /// The holder last reported through `onNewLeader`.
    var reportedLeader = ""
    /// Whether this process leads now.
    var leading = false
    /// When we last wrote the record successfully; the renew deadline counts from here.
    var lastRenewal: Duration?
    var running = false
    /// Why the last attempt failed, for the line that ends a term at the renew deadline.
    var lastFailure: String?
    /// Whether a write failed in a way that may have landed, and no read has shown the lock since.
    var writeInDoubt = false
    /// The failure last logged as an error, so one lasting problem (a rate-limit hold, an unreachable
    /// API) is logged once instead of at every attempt; cleared when an attempt goes well.
    var loggedFailure: String?
    /// The highest term seen in any record, so a stale record naming us (our own write landing late,
    /// after another copy took a newer term) is never resumed with its old term.
    var highestTerm: Int?
    /// The odd leaseDurationSeconds last warned about, so each is reported once.
    var warnedLeaseSeconds: Int?
    /// The lock attempt under way, which only the renew deadline or a cancelled `run()` may cancel.
    var attemptInFlight: Task<Attempt, Never>?
    /// Whether the current run() already reported onStoppedLeading for leadership that ended with it.
    var stoppedAtExit = false
    var notifications: AsyncStream<Notification>.Continuation?

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
    /// - Throws: `LeaderElectionConfigError` (`.emptyIdentity`) at once when the lock's identity is
    ///   empty, since an empty holder means "free" to every other copy.
    public func run() async throws {
        guard !identity.isEmpty else { throw LeaderElectionConfigError.emptyIdentity }
        guard !running else {
            logger.error("run() called while this elector is already running: run each LeaderElector once at a time")
            return
        }
        running = true
        stoppedAtExit = false
        let (stream, continuation) = AsyncStream.makeStream(of: Notification.self)
        notifications = continuation
        // Unstructured so that cancelling run() cannot drop a notification; awaited below, so it
        // never outlives run().
        let delivery = Task { [callbacks] in await Notification.deliver(stream, to: callbacks) }
        // Awaited below, so it never outlives run(). Graceful shutdown cancels it at once (the handler
        // runs inside the trigger), which stops the election loop but not an attempt in flight;
        // cancelling run() itself cancels both.
        let election = Task { await self.elect() }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await election.value
            } onGracefulShutdown: {
                election.cancel()
            }
        } onCancel: {
            election.cancel()
            Task { await self.cancelAttemptInFlight() }
        }
        // As client-go's deferred OnStoppedLeading: also when run() ends without leading.
        if !stoppedAtExit { notify(.stoppedLeading) }
        continuation.finish()
        notifications = nil
        await delivery.value
        running = false
    }

    /// A snapshot for status endpoints.
    public func status() -> ElectorStatus {
        let now = time.now()
        return ElectorStatus(
            identity: identity, election: config.name, isLeader: leading,
            observedRecord: observedInvalid ? nil : observedRecord,
            sinceObservedChange: observedTime.map { now - $0 }, sinceLastRenewal: lastRenewal.map { now - $0 },
            lock: lock.describe)
    }

    func notify(_ notification: Notification) {
        notifications?.yield(notification)
    }
}
