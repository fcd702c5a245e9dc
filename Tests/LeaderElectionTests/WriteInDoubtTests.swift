import Foundation
import LeaderElection
import LeaderElectionTestKit
import Testing

/// Writes that land while their answers are lost (lease 10s, deadline 5s, retry 2s): the bytes of a
/// write in doubt, seen again, prove it landed, at the latest when its attempt began.
@Suite(.timeLimit(.minutes(1))) struct WriteInDoubtTests {
    let h = Harness()

    @Test func aLeaderWhoseRenewalsLandButWhoseAnswersAreLostKeepsItsTerm() async throws {
        let store = LeaseStore()
        let elector = h.elector(InMemoryLock(store: store, identity: "a"))
        let task = h.start(elector)
        await h.settle([elector])
        #expect(await elector.status().isLeader)
        await store.loseAnswers(1000)
        var leading: [Bool] = []
        for _ in 0..<30 {
            await h.advance(by: .seconds(1), step: .seconds(1), settling: [elector])
            leading.append(await elector.status().isLeader)
        }
        #expect(!leading.contains(false), "the landed renewals kept the term for 30s: \(leading)")
        #expect(await h.callbacks.entries == ["new:a", "started:0"])
        #expect(await store.writes.map(\.leaderTransitions).allSatisfy { $0 == 0 })
        #expect(await store.writes.count > 10, "it kept renewing")
        task.cancel()
        try await task.value
    }

    @Test func aClaimWhoseAnswerWasLostLeadsFromTheStartOfItsAttempt() async throws {
        let store = LeaseStore(raw: record("", transitions: 3, leaseSeconds: 1).jsonBytes())
        await store.loseAnswers(1)
        let elector = h.elector(InMemoryLock(store: store, identity: "a"))
        let task = h.start(elector)
        await h.settle([elector])
        #expect(await elector.status().isLeader == false, "the claim at 0 landed, but its answer was lost")
        // The next attempt, at 2, reads the claim's own bytes: it leads as of 0, with the claim's term.
        await h.advance(by: .seconds(2), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader)
        #expect(await elector.status().sinceLastRenewal == .zero, "renewed at 2 right after, by the fast path")
        #expect(await store.writes.map(\.leaderTransitions) == [4, 4])
        #expect(await h.callbacks.entries == ["new:a", "started:4"])
        task.cancel()
        try await task.value
    }
}
