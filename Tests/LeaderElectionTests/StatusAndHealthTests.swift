import Foundation
@testable import LeaderElection
import LeaderElectionTestKit
import Testing

@Suite(.timeLimit(.minutes(1))) struct StatusAndHealthTests {
    let h = Harness()

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var sinceRenewal: Duration?
        var healthy: Bool
        var message: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "standby", sinceRenewal: nil, healthy: true, message: "not leading election e"),
        Case(
            name: "fresh leader", sinceRenewal: .seconds(2), healthy: true,
            message: "leading election e, renewed 2s ago"),
        Case(
            name: "past the renew deadline", sinceRenewal: .seconds(15), healthy: true,
            message: "not leading election e: no renewal for 15s, past the renew deadline (15s); standing down"),
        Case(
            name: "at the limit", sinceRenewal: .seconds(40), healthy: true,
            message: "not leading election e: no renewal for 40s, past the renew deadline (15s); standing down"),
        Case(
            name: "stuck leader", sinceRenewal: .milliseconds(42500), healthy: false,
            message: "failed election to renew leadership on lease e: last renewal 42.5s ago exceeds "
                + "leaseDuration (30s) + tolerance (10s) by 2.5s; the elector is stuck, restart the process"),
    ]

    /// client-go's HealthzAdaptor (lease 30s, tolerance 10s), with a leader past its renew deadline of
    /// 15s no longer said to lead.
    @Test(arguments: cases)
    func healthRule(_ test: Case) {
        let result = HealthCheckResult.evaluate(
            election: "e", sinceRenewal: test.sinceRenewal, renewDeadline: .seconds(15),
            leaseDuration: .seconds(30), tolerance: .seconds(10))
        #expect(result == HealthCheckResult(isHealthy: test.healthy, message: test.message))
    }

    @Test func healthOfARunningElector() async throws {
        let store = LeaseStore(raw: record("b").jsonBytes())
        let elector = h.elector(InMemoryLock(store: store, identity: "a"))
        #expect(await elector.healthCheck(maxTolerableExpiredLease: .zero).isHealthy, "healthy before run()")
        let task = h.start(elector)
        await h.advance(by: .seconds(11), step: .seconds(1), settling: [elector])
        let check = await elector.healthCheck(maxTolerableExpiredLease: .seconds(1))
        #expect(check == HealthCheckResult(isHealthy: true, message: "leading election test-election, renewed 1s ago"))
        task.cancel()
        try await task.value
    }

    @Test func statusDescribesWhatTheElectorKnows() async throws {
        let held = record("b", transitions: 3)
        let store = LeaseStore(raw: held.jsonBytes())
        let elector = h.elector(InMemoryLock(store: store, identity: "a"))
        #expect(elector.identity == "a")
        #expect(
            await elector.status()
                == ElectorStatus(
                    identity: "a", election: "test-election", isLeader: false, leader: "", observedRecord: nil,
                    sinceObservedChange: nil, sinceLastRenewal: nil, lock: "in-memory lock: a"))

        let task = h.start(elector)
        await h.advance(by: .seconds(4), step: .seconds(2), settling: [elector])
        var following = ElectorStatus(
            identity: "a", election: "test-election", isLeader: false, leader: "b", observedRecord: held,
            sinceObservedChange: .seconds(4), sinceLastRenewal: nil, lock: "in-memory lock: a")
        following.leaderTerm = 3
        following.transitions = [LeadershipTransition(holder: "b", term: 3, seen: Harness.wall(0))]
        #expect(await elector.status() == following)

        await h.advance(by: .seconds(7), step: .seconds(1), settling: [elector])
        let leading = await elector.status()
        #expect(leading.isLeader)
        #expect(leading.observedRecord?.holderIdentity == "a")
        #expect(leading.observedRecord?.leaderTransitions == 4)
        #expect(leading.sinceLastRenewal == .seconds(1))
        #expect(leading.leaderTerm == 4)
        #expect(leading.transitions.map(\.holder) == ["b", "a"])
        #expect(leading.transitions.map(\.term) == [3, 4])
        task.cancel()
        try await task.value
    }

    /// status() only reads: asking it between attempts moves no metric; refreshMetrics() brings the
    /// time-driven ones (here the leaderless time) up to now, for a scrape.
    @Test func statusHasNoSideEffectAndRefreshMetricsCatchesUp() async throws {
        let metrics = RecordingMetrics(election: "test-election")
        let lock = FakeLock(identity: "a")
        await lock.script(get: [.networkError, .networkError])
        let elector = h.elector(lock, metrics: metrics)
        let task = await h.running(elector)
        let leaderless = "leader_election_leaderless_seconds_total"
        #expect(metrics.milliseconds(leaderless, ["name": "test-election"]) == 0, "the first attempt at 0")
        // 1s later, between attempts (the next is at 2), nobody leads.
        await h.clock.advance(by: .seconds(1))
        await h.settle([elector])
        let before = await elector.status()
        for _ in 0..<3 { _ = await elector.status() }
        #expect(await elector.status() == before)
        #expect(metrics.milliseconds(leaderless, ["name": "test-election"]) == 0, "asking status() counted nothing")
        await elector.refreshMetrics()
        #expect(metrics.milliseconds(leaderless, ["name": "test-election"]) == 1000)
        #expect(metrics.recorder("leader_election_master_status", ["name": "test-election"]) == 0)
        task.cancel()
        try await task.value
    }
}
