import Foundation
import LeaderElection
import Testing

/// Records whose numbers are out of range (lease 10s here, so at most 100s of a record's lease is
/// honoured): never a crash, never an election blocked for longer than the cap.
@Suite(.timeLimit(.minutes(1))) struct LeaseBoundsTests {
    let h = Harness()
    let lock = FakeLock(identity: "a")

    @Test(arguments: [0, -5, Int.min])
    func aLeaseOfZeroOrLessHasExpiredAtOnce(leaseSeconds: Int) async throws {
        let held = record("b", transitions: 2, leaseSeconds: leaseSeconds)
        await lock.script(get: [.record(held)], update: [.ok])
        let elector = h.elector(lock)
        let task = await h.running(elector)
        #expect(await elector.status().isLeader)
        #expect(await lock.updated.map(\.record.leaderTransitions) == [3])
        task.cancel()
        try await task.value
        #expect(
            h.messages.filter { $0.contains("has leaseDurationSeconds") } == [
                "lease record of b has leaseDurationSeconds \(leaseSeconds), treated as expired"
            ])
    }

    @Test(arguments: [1_000_000_000_000, Int.max])
    func aHugeLeaseIsHonouredForTenLeaseDurations(leaseSeconds: Int) async throws {
        let held = record("b", transitions: 2, leaseSeconds: leaseSeconds)
        // Attempts every 2s: t = 0, 2, ..., 100.
        await lock.script(get: Array(repeating: .record(held), count: 51), update: [.ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.expectLeadsOnlyAfter(elector, following: .seconds(98), then: .seconds(2), step: .seconds(2))
        task.cancel()
        try await task.value
        #expect(
            h.messages.filter { $0.contains("has leaseDurationSeconds") } == [
                "lease record of b has leaseDurationSeconds \(leaseSeconds), honoured for at most 100s (10 x leaseDuration)"
            ], "warned once, not at every attempt")
    }

    @Test func theLongestHonouredLeaseIsTenLeaseDurations() throws {
        #expect(Harness.config().longestHonouredLease == .seconds(100))
        let demo = try LeaderElectionConfig(
            leaseDuration: .seconds(4), renewDeadline: .seconds(3), retryPeriod: .seconds(1), renewInterval: nil)
        #expect(demo.longestHonouredLease == .seconds(40))
    }
}
