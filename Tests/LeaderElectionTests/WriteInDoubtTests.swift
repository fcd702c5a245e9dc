import Foundation
import InMemoryLogging
import Logging
import LeaderElection
import LeaderElectionTestKit
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

/// Writes in doubt: writes that land but whose answer is lost, held back or cancelled (lease 10s,
/// deadline 5s, retry 2s). The elector must neither leave a lease held by a process that is gone nor
/// start a new term for a write that was its own; the bytes of a write in doubt, seen again, prove it
/// landed, at the latest when its attempt began.
@Suite(.timeLimit(.minutes(1))) struct WriteInDoubtTests {
    let h = Harness()
    /// A lease released earlier by someone else, at term 4.
    let store = LeaseStore(raw: record("", transitions: 4, leaseSeconds: 1).jsonBytes())

    /// SIGTERM while the takeover write is on its way: the write is let finish (not cancelled), so the
    /// elector knows it holds the lease, and releases it.
    @Test func gracefulShutdownLetsAnAcquireWriteInFlightFinishThenReleases() async throws {
        let lock = LandingLock(store: store, identity: "a", answers: [.held])
        let elector = h.elector(lock, config: Harness.config(release: true))
        try await testGracefulShutdown { trigger in
            let task = h.start(elector)
            await lock.events.waitFor("held")
            // The handler runs inside the trigger, so the election loop is cancelled before the answer.
            trigger.triggerGracefulShutdown()
            await lock.answerHeldWrite()
            try await task.value
        }
        #expect(await lock.events.entries == ["held", "answered"])
        #expect(
            await store.record
                == LeaderElectionRecord(
                    holderIdentity: "", leaseDurationSeconds: 1, acquireTime: Harness.wall(0), renewTime: Harness.wall(0),
                    leaderTransitions: 5))
        #expect(
            await store.journal == [
                "write a", "event a became leader", "write <released>", "event a stopped leading",
            ])
        // It led for a moment, with its work cancelled from the start, as client-go does.
        #expect(await h.callbacks.entries == ["new:a", "started:5", "work ended", "stopped"])
    }

    /// Cancelling run() (not a graceful shutdown) cancels the write in flight; what landed is then read
    /// back and released, since the lease was never used.
    @Test func cancellingRunCancelsAWriteInFlightAndReleasesWhatLanded() async throws {
        let lock = LandingLock(store: store, identity: "a", answers: [.held])
        let elector = h.elector(lock, config: Harness.config(release: true))
        let task = h.start(elector)
        await lock.events.waitFor("held")
        task.cancel()
        try await task.value
        #expect(await lock.events.entries == ["held", "cancelled"])
        #expect(await store.record?.holderIdentity == "")
        #expect(await store.record?.leaderTransitions == 5)
        #expect(
            h.messages.contains(
                "a write whose answer was lost made this copy the holder of landing lock: a; releasing it"))
        #expect(await h.callbacks.entries == ["stopped"], "it never led")
    }

    /// A timeout after the write landed: the next attempt reads a record naming us and renews it as
    /// ours, keeping the term the lost write took (client-go's holder == identity rule).
    @Test func aWriteWhoseAnswerWasLostIsTakenAsOursNextTime() async throws {
        let lock = LandingLock(store: store, identity: "a", answers: [.lost])
        let elector = h.elector(lock)
        let task = await h.running(elector)
        #expect(await elector.status().isLeader == false)
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        #expect(await elector.status().isLeader)
        await h.callbacks.waitFor("started:5")
        task.cancel()
        try await task.value
        let writes = await store.writes
        #expect(writes.map(\.leaderTransitions) == [5, 5], "one new term, not two")
        #expect(writes.map(\.acquireTime) == [Harness.wall(0), Harness.wall(0)])
        #expect(writes.map(\.renewTime) == [Harness.wall(0), Harness.wall(2)])
        #expect(h.messages.contains("failed to update lease landing lock: a: connection refused"))
    }

    /// A lost answer, then shutdown before the next attempt: the lock is read once more and the lease
    /// released when it names us (only with releaseOnCancel; otherwise it is left to expire).
    @Test(arguments: [true, false])
    func aLostAnswerThenShutdownReleasesTheLease(releaseOnCancel: Bool) async throws {
        let lock = LandingLock(store: store, identity: "a", answers: [.lost])
        let elector = h.elector(lock, config: Harness.config(release: releaseOnCancel))
        try await testGracefulShutdown { trigger in
            let task = await h.running(elector)
            trigger.triggerGracefulShutdown()
            try await task.value
        }
        #expect(await store.record?.holderIdentity == (releaseOnCancel ? "" : "a"))
        #expect(await store.record?.leaderTransitions == 5)
        #expect(await store.writes.count == (releaseOnCancel ? 2 : 1))
        #expect(await h.callbacks.entries == ["stopped"])
    }

    /// The renew deadline still cancels a renewal that hangs (graceful shutdown does not); the write
    /// had landed, so the next attempt finds the record naming us and leads again with the same term.
    /// The renewal at 2 lands but its answer never comes: the deadline at 5 cancels it and ends the
    /// term. The landed write is this copy's own record, but of a term that ended: it is not resumed
    /// (that would start term 5 twice) nor rewritten (that would reset every follower's wait); it is
    /// taken again once it expired, with a new term.
    @Test func theRenewDeadlineCancelsARenewalInFlightAndTheTermIsNeverResumed() async throws {
        let lock = LandingLock(store: store, identity: "a", answers: [.ok, .held])
        let elector = h.elector(lock)
        let task = await h.running(elector)
        await h.clock.advance(by: .seconds(2))
        await lock.events.waitFor("held")
        await h.clock.advance(by: .seconds(3))
        await lock.events.waitFor("cancelled")
        await h.callbacks.waitFor("stopped")
        await h.settle([elector])
        #expect(await elector.status().isLeader == false)
        #expect(await store.writes.map(\.leaderTransitions) == [5, 5])
        // First seen at 5 (the read after the deadline), so it expires at 15.
        await h.expectLeadsOnlyAfter(elector, following: .seconds(9), then: .seconds(2), step: .seconds(1))
        task.cancel()
        try await task.value

        let end = h.logs.entries.first {
            $0.message.description == "failed to renew lease landing lock: a: timed out waiting for the condition"
        }
        #expect(end?.metadata["reason"] == "a renewal was still waiting for the lock")
        #expect(await store.writes.map(\.leaderTransitions).prefix(3) == [5, 5, 6])
        #expect(await h.callbacks.entries.prefix(5) == ["new:a", "started:5", "work ended", "stopped", "started:6"])
    }

    @Test func aLeaderWhoseRenewalsLandButWhoseAnswersAreLostKeepsItsTerm() async throws {
        let store = LeaseStore()
        let elector = h.elector(InMemoryLock(store: store, identity: "a"))
        let task = await h.running(elector)
        #expect(await elector.status().isLeader)
        await store.loseAnswers(1000)
        let leading = await h.clock.leadership(of: elector, samples: 30, every: .seconds(1))
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
        let task = await h.running(elector)
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
