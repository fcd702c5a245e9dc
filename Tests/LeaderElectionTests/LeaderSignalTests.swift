import Foundation
@testable import LeaderElection
import LeaderElectionTestKit
import Testing

/// What a workload acts on never outlives the truth: this copy only within its renew deadline, another
/// holder only while our observation of it is younger than its lease (lease 10s, deadline 5s, retry 2s).
@Suite(.timeLimit(.minutes(1))) struct LeaderSignalTests {
    let h = Harness()

    @Test func aLeaderNamesItselfOnlyWithinItsRenewDeadline() async throws {
        let store = LeaseStore()
        let elector = h.elector(InMemoryLock(store: store, identity: "a"))
        let task = await h.running(elector)
        let now = h.clock.now.offset
        #expect(await elector.status().leader == "a")
        #expect(await elector.status().isLeader)
        // Judged at any later moment, before the watchdog has run: past the deadline, nobody.
        #expect(await elector.leaderSignal(at: now + .milliseconds(4999)) == "a")
        #expect(await elector.leaderSignal(at: now + .seconds(5)) == "")
        #expect(await elector.leadsNow(at: now + .seconds(5)) == false)
        task.cancel()
        try await task.value
    }

    @Test func aFollowerNamesTheHolderOnlyWhileItsObservationIsYoungerThanTheLease() async throws {
        let store = LeaseStore(raw: record("b", transitions: 2).jsonBytes())
        let elector = h.elector(InMemoryLock(store: store, identity: "a"))
        let task = await h.running(elector)
        let seen = h.clock.now.offset
        #expect(await elector.status().leader == "b")
        #expect(await elector.status().isLeader == false)
        #expect(await elector.leaderSignal(at: seen + .milliseconds(9999)) == "b")
        #expect(await elector.leaderSignal(at: seen + .seconds(10)) == "")
        task.cancel()
        try await task.value
    }

    @Test func aReleasedLeaseNamesNobody() async throws {
        let lock = FakeLock(identity: "a")
        await lock.script(get: [.record(record("", transitions: 2, leaseSeconds: 1))], update: [.conflict])
        let elector = h.elector(lock)
        let task = await h.running(elector)
        #expect(await elector.status().leader == "")
        task.cancel()
        try await task.value
    }
}
