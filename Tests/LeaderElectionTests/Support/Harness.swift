import Foundation
import InMemoryLogging
import LeaderElection
import LeaderElectionTestKit
import Logging
import Metrics
import Testing

/// One test's world: a manual clock, wall time derived from it, a callback log and captured logs.
struct Harness {
    static let wallStart = ManualClock.wallStart
    /// Lease 10s, renew deadline 5s, retry 2s: small numbers that keep the arithmetic readable.
    static func config(release: Bool = false) -> LeaderElectionConfig {
        try! LeaderElectionConfig(
            name: "test-election", leaseDuration: .seconds(10), renewDeadline: .seconds(5), retryPeriod: .seconds(2),
            renewInterval: nil, releaseOnCancel: release)
    }

    let clock = ManualClock()
    let callbacks = CallbackLog()
    let logs = InMemoryLogHandler()

    /// The wall time the elector writes, `seconds` after the start of the test.
    static func wall(_ seconds: Double) -> Date { wallStart.addingTimeInterval(seconds) }

    func elector(
        _ lock: any ResourceLock, config: LeaderElectionConfig = Harness.config(), jitter: Double = 0,
        callbacks: LeaderCallbacks? = nil, metrics: (any MetricsFactory)? = nil
    ) -> LeaderElector {
        let clock = clock
        let logs = logs
        return LeaderElector(
            config: config, lock: lock, callbacks: callbacks ?? self.callbacks.callbacks, clock: clock,
            wallClock: { Harness.wallStart.addingTimeInterval(clock.now.offset.secondsValue) },
            jitter: { jitter }, logger: Logger(label: "test", factory: { _ in logs }),
            metrics: metrics ?? NOOPMetricsHandler.instance)
    }

    /// Starts `run()` in a task of its own.
    func start(_ elector: LeaderElector) -> Task<Void, any Error> {
        Task { try await elector.run() }
    }

    /// Starts `run()` in a task of its own and waits until the elector has nothing to do but wait.
    func running(_ elector: LeaderElector) async -> Task<Void, any Error> {
        let task = start(elector)
        await settle([elector])
        return task
    }

    func settle(_ electors: [LeaderElector]) async { await clock.settle(electors) }

    func advance(by elapsed: Duration, step: Duration, settling electors: [LeaderElector]) async {
        await clock.advance(by: elapsed, step: step, settling: electors)
    }

    /// Expects `elector` still to follow once `following` has passed, and to lead once `then` more has:
    /// it takes the lease in between.
    func expectLeadsOnlyAfter(
        _ elector: LeaderElector, following: Duration, then: Duration, step: Duration,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        await advance(by: following, step: step, settling: [elector])
        #expect(await elector.status().isLeader == false, "leads too early", sourceLocation: sourceLocation)
        await advance(by: then, step: step, settling: [elector])
        #expect(await elector.status().isLeader, "does not lead yet", sourceLocation: sourceLocation)
    }

    /// Which electors are in a term (renewing, with a watchdog), whether or not their deadline passed.
    func leaders(_ electors: [LeaderElector]) async -> [Bool] {
        var result: [Bool] = []
        for elector in electors { result.append(await elector.status().sinceLastRenewal != nil) }
        return result
    }

    /// Every captured log message, in order.
    var messages: [String] { logs.entries.map { $0.message.description } }
}

/// A record held by `holder`, as another process would have written it.
func record(
    _ holder: String, transitions: Int = 0, leaseSeconds: Int = 10, renewedAt renewTime: Date = Harness.wall(0),
    acquiredAt acquireTime: Date = Harness.wall(-100)
) -> LeaderElectionRecord {
    LeaderElectionRecord(
        holderIdentity: holder, leaseDurationSeconds: leaseSeconds, acquireTime: acquireTime,
        renewTime: renewTime, leaderTransitions: transitions)
}
