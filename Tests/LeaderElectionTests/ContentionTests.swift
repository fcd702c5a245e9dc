import Foundation
import LeaderElection
import LeaderElectionTestKit
import Testing

/// Three electors over one compare-before-write store (lease 10s, renew deadline 5s, retry 2s; jitters
/// 0, 0.25 and 0.5, so candidates retry every 2s, 2.6s and 3.2s).
@Suite(.timeLimit(.minutes(1))) struct ContentionTests {
    let h = Harness()
    let store = LeaseStore()
    static let names = ["a", "b", "c"]
    static let jitters = [0.0, 0.25, 0.5]
    /// The longest pause between two attempts of a candidate: retryPeriod x (1 + 1.2 x 0.5).
    static let longestPause = Duration.milliseconds(3200)
    static let step = Duration.milliseconds(100)

    struct Cluster {
        var electors: [LeaderElector]
        var tasks: [Task<Void, any Error>]
        var running: [LeaderElector] { zip(electors, tasks).filter { !$0.1.isCancelled }.map(\.0) }
    }

    func startCluster(release: Bool) async -> Cluster {
        let electors = zip(Self.names, Self.jitters).map { name, jitter in
            h.elector(InMemoryLock(store: store, identity: name), config: Harness.config(release: release), jitter: jitter)
        }
        let cluster = Cluster(electors: electors, tasks: electors.map { h.start($0) })
        await h.settle(electors)
        return cluster
    }

    /// Advances in small steps until one of the running electors leads, checking after every step that
    /// never more than one leads and that the leader is the store's holder. Returns the time it took.
    func advanceUntilLeader(_ cluster: Cluster, limit: Duration) async -> (leader: Int, after: Duration)? {
        var elapsed = Duration.zero
        while elapsed <= limit {
            let leaders = await h.leaders(cluster.electors).enumerated().filter(\.element).map(\.offset)
            #expect(leaders.count <= 1, "several leaders at once: \(leaders)")
            if let leader = leaders.first, cluster.running.contains(where: { $0 === cluster.electors[leader] }) {
                #expect(await store.record?.holderIdentity == Self.names[leader])
                return (leader, elapsed)
            }
            await h.clock.advance(by: Self.step)
            elapsed += Self.step
            await h.settle(cluster.running)
        }
        return nil
    }

    /// Runs for `duration`, checking after every step that exactly one elector leads and holds the store.
    func holdSteady(_ cluster: Cluster, for duration: Duration) async {
        var elapsed = Duration.zero
        while elapsed < duration {
            let leaders = await h.leaders(cluster.electors).enumerated().filter(\.element).map(\.offset)
            #expect(leaders.count == 1, "leaders: \(leaders)")
            if let leader = leaders.first { #expect(await store.record?.holderIdentity == Self.names[leader]) }
            await h.clock.advance(by: Self.step)
            elapsed += Self.step
            await h.settle(cluster.running)
        }
    }

    func stop(_ cluster: inout Cluster, _ index: Int) async throws {
        cluster.tasks[index].cancel()
        try await cluster.tasks[index].value
    }

    @Test func exactlyOneLeadsAndAReleasedLeaseIsTakenWithinOneRetry() async throws {
        var cluster = await startCluster(release: true)
        await holdSteady(cluster, for: .seconds(12))
        let first = try #require(await advanceUntilLeader(cluster, limit: .zero)).leader
        #expect(await store.writes.count == 1 + 12 / 2, "one create, then a renewal every 2s")

        try await stop(&cluster, first)
        let released = try #require(await store.record)
        #expect(released.holderIdentity == "")
        #expect(released.leaseDurationSeconds == 1)
        #expect(released.leaderTransitions == 0)

        let (second, after) = try #require(await advanceUntilLeader(cluster, limit: Self.longestPause))
        #expect(second != first)
        #expect(after <= Self.longestPause)
        #expect(await store.record?.leaderTransitions == 1)
        await holdSteady(cluster, for: .seconds(6))

        for index in cluster.electors.indices where index != first { try await stop(&cluster, index) }
        #expect(await store.record?.holderIdentity == "")
    }

    /// A leader that dies without releasing is replaced only after a full lease without change, and
    /// within lease + two candidate pauses (one to see the last renewal, one to act after expiry).
    @Test func aCrashedLeaderIsReplacedAfterTheLeaseExpires() async throws {
        var cluster = await startCluster(release: false)
        await holdSteady(cluster, for: .seconds(4))
        var leader = try #require(await advanceUntilLeader(cluster, limit: .zero)).leader

        for transitions in 1...2 {
            let renewedAgo = try #require(await cluster.electors[leader].status().sinceLastRenewal)
            try await stop(&cluster, leader)
            #expect(await store.record?.holderIdentity == Self.names[leader])

            let (next, after) = try #require(
                await advanceUntilLeader(cluster, limit: .seconds(10) + Self.longestPause * 2))
            let sinceLastRenewal = renewedAgo + after
            #expect(sinceLastRenewal >= .seconds(10), "taken over \(sinceLastRenewal) after the last renewal")
            #expect(sinceLastRenewal <= .seconds(10) + Self.longestPause * 2 + Self.step)
            #expect(await store.record?.leaderTransitions == transitions)
            leader = next
        }
        try await stop(&cluster, leader)
        #expect(await store.writes.map(\.leaderTransitions).max() == 2)
    }
}
