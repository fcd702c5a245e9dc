import Foundation
import LeaderElection
import LeaderElectionTestKit
import Testing

/// Handing leadership over on purpose (lease 10s, renew deadline 5s, retry 2s, no jitter, so a
/// candidate attempts every 2s).
@Suite(.timeLimit(.minutes(1))) struct HandoverTests {
    let h = Harness()
    let store = LeaseStore()
    let metrics = RecordingMetrics(election: "test-election")

    func elector(_ name: String, callbacks: LeaderCallbacks? = nil, metrics: RecordingMetrics? = nil) -> LeaderElector {
        h.elector(InMemoryLock(store: store, identity: name), callbacks: callbacks, metrics: metrics)
    }

    /// `a` leading term 0 and `b` following; both settled.
    func leaderAndFollower(bMetrics: RecordingMetrics? = nil) async -> (LeaderElector, LeaderElector, [Task<Void, any Error>]) {
        let a = elector("a", callbacks: journalingCallbacks(store))
        let taskA = h.start(a)
        await h.settle([a])
        let b = elector("b", metrics: bMetrics)
        let taskB = h.start(b)
        await h.advance(by: .seconds(3), step: .milliseconds(500), settling: [a, b])
        return (a, b, [taskA, taskB])
    }

    @Test func theWorkStopsBeforeTheRecordNamesTheTarget() async throws {
        let (a, b, tasks) = await leaderAndFollower()
        #expect(await h.leaders([a, b]) == [true, false])
        let handover = try await a.handOver(to: "b")
        #expect(handover == Handover(target: "b", term: 0, written: true))
        let journal = await store.journal
        let ended = try #require(journal.firstIndex(of: "work ended"))
        let named = try #require(journal.lastIndex(of: "write b"))
        #expect(ended < named, "the record named the target before the work had stopped: \(journal)")
        // The term is kept and the target gets a whole lease from a fresh renewTime.
        #expect(
            await store.record
                == LeaderElectionRecord(
                    holderIdentity: "b", leaseDurationSeconds: 10, acquireTime: Harness.wall(3), renewTime: Harness.wall(3),
                    leaderTransitions: 0))
        #expect(await a.status().isLeader == false)
        #expect(await a.status().lastStandDown == "handed over: to b")
        tasks.forEach { $0.cancel() }
    }

    @Test func aFollowerTakesItWithANewTermAtItsNextAttempt() async throws {
        let bMetrics = RecordingMetrics(election: "test-election")
        let (a, b, tasks) = await leaderAndFollower(bMetrics: bMetrics)
        _ = try await a.handOver(to: "b")
        // The old leader stops naming itself (and names nobody) before the target leads.
        #expect(await a.status().leader == "")
        #expect(await b.status().leader != "b")
        // One attempt: retryPeriod x (1 + 1.2 x jitter), 2s here; not a lease.
        await h.advance(by: .seconds(2), step: .milliseconds(100), settling: [a, b])
        #expect(await h.leaders([a, b]) == [false, true])
        #expect(await store.record?.holderIdentity == "b")
        #expect(await store.record?.leaderTransitions == 1)
        #expect(await b.status().leaderTerm == 1)
        // The target's history: a's term, then its own (the handover record itself is no transition).
        #expect(await b.status().transitions.map { "\($0.holder):\($0.term)" } == ["a:0", "b:1"])
        #expect(await a.status().transitions.first.map { "\($0.holder):\($0.term)" } == "a:0")
        // From the last renewal of a that b saw (at 0s or 2s, as their attempts at 2s interleave) to b's
        // acquisition (at its attempt at 4s); not from the handover record, which b saw at 4s too.
        #expect((2...4).contains(bMetrics.recorder("leader_election_failover_seconds", ["name": "test-election"])))
        // The old leader stays out: b keeps leading across a whole lease, and a names b.
        await h.advance(by: .seconds(12), step: .milliseconds(500), settling: [a, b])
        #expect(await h.leaders([a, b]) == [false, true])
        #expect(await a.status().leader == "b")
        #expect(await a.status().leaderTerm == 1)
        tasks.forEach { $0.cancel() }
    }

    @Test func aTargetThatIsGoneLetsTheLeaseRunOut() async throws {
        let (a, b, tasks) = await leaderAndFollower()
        _ = try await a.handOver(to: "gone")
        #expect(await store.record?.holderIdentity == "gone")
        // The lease counts from when each copy saw the record change: at once for a, within 2s for b.
        await h.advance(by: .milliseconds(9900), step: .milliseconds(100), settling: [a, b])
        #expect(await h.leaders([a, b]) == [false, false])
        await h.advance(by: .seconds(4), step: .milliseconds(100), settling: [a, b])
        #expect(await h.leaders([a, b]).filter { $0 }.count == 1)
        #expect(await store.record?.leaderTransitions == 1)
        tasks.forEach { $0.cancel() }
    }

    @Test func toItselfIsRefusedAndTheWorkGoesOn() async throws {
        let (a, b, tasks) = await leaderAndFollower()
        await #expect(throws: HandoverError.toSelf("a")) { try await a.handOver(to: "a") }
        await h.advance(by: .seconds(6), step: .milliseconds(500), settling: [a, b])
        #expect(await h.leaders([a, b]) == [true, false])
        #expect(await store.journal.contains("work ended") == false)
        tasks.forEach { $0.cancel() }
    }

    @Test func aFollowerRefusesNamingTheLeader() async throws {
        let (a, b, tasks) = await leaderAndFollower()
        await #expect(throws: HandoverError.notLeader(leader: "a")) { try await b.handOver(to: "b") }
        await #expect(throws: HandoverError.notLeader(leader: "a")) { try await b.handOver(to: nil) }
        await #expect(throws: HandoverError.emptyTarget) { try await a.handOver(to: "") }
        #expect(await h.leaders([a, b]) == [true, false])
        tasks.forEach { $0.cancel() }
    }

    @Test func withoutATargetAnotherCopyTakesIt() async throws {
        let (a, b, tasks) = await leaderAndFollower()
        let handover = try await a.handOver(to: nil)
        #expect(handover == Handover(target: nil, term: 0, written: true))
        #expect(await store.record?.holderIdentity == "")
        // a's next attempt comes first (it attempts at once after its term), yet b takes it.
        await h.advance(by: .seconds(2), step: .milliseconds(100), settling: [a, b])
        #expect(await h.leaders([a, b]) == [false, true])
        #expect(await store.record?.leaderTransitions == 1)
        tasks.forEach { $0.cancel() }
    }

    @Test func aloneWithoutATargetItTakesItBackAfterALease() async throws {
        let a = elector("a")
        let task = await h.running(a)
        _ = try await a.handOver(to: nil)
        await h.advance(by: .milliseconds(9900), step: .milliseconds(100), settling: [a])
        #expect(await h.leaders([a]) == [false])
        await h.advance(by: .seconds(2), step: .milliseconds(100), settling: [a])
        #expect(await h.leaders([a]) == [true])
        #expect(await store.record?.leaderTransitions == 1)
        task.cancel()
    }
}
