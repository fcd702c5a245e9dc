import Foundation
import LeaderElection
import LeaderElectionTestKit
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

/// How run() ends: graceful shutdown or cancellation, with and without releasing the lease.
@Suite(.timeLimit(.minutes(1))) struct ShutdownTests {
    let h = Harness()
    /// A lease released earlier by someone else, at term 4.
    let store = LeaseStore(raw: record("", transitions: 4, leaseSeconds: 1).jsonBytes())

    /// Runs `elector` until it has settled, then shuts it down gracefully.
    func runUntilGracefulShutdown(_ elector: LeaderElector) async throws {
        try await testGracefulShutdown { trigger in
            let task = await h.running(elector)
            trigger.triggerGracefulShutdown()
            try await task.value
        }
    }

    @Test func gracefulShutdownReleasesAfterTheWorkHasEnded() async throws {
        let elector = h.elector(
            InMemoryLock(store: store, identity: "a"), config: Harness.config(release: true),
            callbacks: journalingCallbacks(store, notingStop: true))
        try await testGracefulShutdown { trigger in
            let task = h.start(elector)
            await h.advance(by: .seconds(3), step: .seconds(1), settling: [elector])
            #expect(await elector.status().isLeader)
            trigger.triggerGracefulShutdown()
            try await task.value
        }
        let released = try #require(await store.record)
        #expect(
            released
                == LeaderElectionRecord(
                    holderIdentity: "", leaseDurationSeconds: 1, acquireTime: Harness.wall(3), renewTime: Harness.wall(3),
                    leaderTransitions: 5))
        #expect(
            await store.journal == [
                "write a", "event a became leader", "write a", "work ended", "write <released>", "event a stopped leading",
                "stopped",
            ])
        #expect(await elector.status().isLeader == false)
    }

    /// The lock calls of the release run even though run()'s task is cancelled (the in-memory lock,
    /// like a network client, refuses calls from a cancelled task).
    @Test func cancellationReleasesToo() async throws {
        let elector = h.elector(InMemoryLock(store: store, identity: "a"), config: Harness.config(release: true))
        let task = await h.running(elector)
        task.cancel()
        try await task.value
        #expect(await store.record?.holderIdentity == "")
        #expect(await store.record?.leaderTransitions == 5)
        #expect(h.messages.contains("released lease in-memory lock: a"))
    }

    @Test func withoutReleaseOnCancelTheLeaseIsLeftToExpire() async throws {
        let elector = h.elector(InMemoryLock(store: store, identity: "a"), config: Harness.config(release: false))
        try await runUntilGracefulShutdown(elector)
        #expect(await store.record?.holderIdentity == "a")
        #expect(await store.journal == ["write a", "event a became leader", "event a stopped leading"])
    }

    @Test func aCandidateReleasesNothing() async throws {
        let held = record("b", transitions: 2)
        let heldStore = LeaseStore(raw: held.jsonBytes())
        let elector = h.elector(InMemoryLock(store: heldStore, identity: "a"), config: Harness.config(release: true))
        try await runUntilGracefulShutdown(elector)
        #expect(await heldStore.record == held)
        #expect(await heldStore.journal.isEmpty)
        #expect(await h.callbacks.entries == ["new:b", "stopped"])
    }

    /// A renewal that landed but answered late leaves our view stale: the release meets a conflict,
    /// reads again, sees its own record and releases that.
    @Test func aReleaseConflictIsRetriedWhileTheRecordIsStillOurs() async throws {
        let lock = FakeLock(identity: "a")
        let ours = record("a", transitions: 0, renewedAt: Harness.wall(1), acquiredAt: Harness.wall(0))
        await lock.script(get: [.notFound, .record(ours)], create: [.ok], update: [.conflict, .ok])
        let elector = h.elector(lock, config: Harness.config(release: true))
        let task = await h.running(elector)
        task.cancel()
        try await task.value
        let updates = await lock.updated
        let created = try #require(await lock.created.first)
        #expect(updates.map(\.expecting) == [created.jsonBytes(), ours.jsonBytes()])
        #expect(updates.last?.record.holderIdentity == "")
    }

    @Test func aReleaseConflictWithSomeoneElsesRecordGivesUp() async throws {
        let lock = FakeLock(identity: "a")
        await lock.script(get: [.notFound, .record(record("b", transitions: 1))], create: [.ok], update: [.conflict])
        let elector = h.elector(lock, config: Harness.config(release: true))
        let task = await h.running(elector)
        task.cancel()
        try await task.value
        #expect(await lock.count("update") == 1)
    }

    @Test func aNewElectorForTheSameIdentityStartsANewTerm() async throws {
        for term in [5, 6] {
            let elector = h.elector(InMemoryLock(store: store, identity: "a"), config: Harness.config(release: true))
            let task = await h.running(elector)
            #expect(await elector.status().observedRecord?.leaderTransitions == term)
            task.cancel()
            try await task.value
        }
    }
}
