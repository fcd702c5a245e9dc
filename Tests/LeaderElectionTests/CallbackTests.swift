import Foundation
import LeaderElection
import LeaderElectionTestKit
import Testing

/// The order and content of callbacks, as the app turns them into its log lines.
@Suite(.timeLimit(.minutes(1))) struct CallbackTests {
    let h = Harness()

    @Test func followsTheElectionInOrder() async throws {
        let store = LeaseStore(raw: record("b", transitions: 0).jsonBytes())
        let elector = h.elector(InMemoryLock(store: store, identity: "a"))
        let task = await h.running(elector)
        #expect(await h.callbacks.entries == ["new:b"], "the first observation is reported")

        await h.advance(by: .seconds(10), step: .seconds(2), settling: [elector])
        await h.callbacks.waitFor("started:1")
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries == ["new:b", "new:a", "started:1", "work ended", "stopped"])
    }

    @Test func reportsEachChangeOfHolderOnceAndNeverAnEmptyHolder() async throws {
        let lock = FakeLock(identity: "a")
        let b = record("b", transitions: 1)
        let bRenewed = record("b", transitions: 1, renewedAt: Harness.wall(2))
        let released = record("", transitions: 1, leaseSeconds: 1)
        let c = record("c", transitions: 2)
        await lock.script(
            get: [.record(b), .record(bRenewed), .record(released), .record(c), .networkError], update: [.conflict])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(8), step: .seconds(2), settling: [elector])
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries == ["new:b", "new:c", "stopped"])
    }

    @Test func onStartedLeadingIsCancelledWhenLeadershipEnds() async throws {
        let lock = FakeLock(identity: "a")
        await lock.script(get: [.notFound, .networkError], create: [.ok], update: [.networkError, .networkError])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:0")
        await h.advance(by: .seconds(5), step: .seconds(1), settling: [elector])
        await h.callbacks.waitFor("stopped")
        #expect(await h.callbacks.entries == ["new:a", "started:0", "work ended", "stopped"])
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries.last == "stopped")
    }

    @Test func onStoppedLeadingRunsWhenRunEndsWithoutEverLeading() async throws {
        let lock = FakeLock(identity: "a")
        await lock.script(get: [.networkError])
        let elector = h.elector(lock)
        let task = await h.running(elector)
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries == ["stopped"])
    }

    @Test func anEmptyIdentityIsRefusedBeforeAnyLockCall() async throws {
        let elector = h.elector(FakeLock(identity: ""))
        await #expect(throws: LeaderElectionConfigError.self) { try await elector.run() }
        do {
            try await elector.run()
        } catch let error as LeaderElectionConfigError {
            #expect(error.code == .emptyIdentity)
            #expect(
                error.description
                    == "the lock's identity must not be empty: give each copy a unique identity such as its host name")
        }
        #expect(await h.callbacks.entries.isEmpty)
    }

    @Test func aSecondRunThrows() async throws {
        let lock = FakeLock(identity: "a")
        await lock.script(get: [.networkError])
        let elector = h.elector(lock)
        let task = await h.running(elector)
        let during = await #expect(throws: LeaderElectorError.self) { try await elector.run() }
        #expect(during == .alreadyRunning)
        #expect(during?.code == .alreadyRunning)
        #expect(during?.description.contains("call run() once per elector") == true)
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries == ["stopped"])
        // Also after the first run ended, with an error that says so: an elector runs once, its terms
        // and observations are not to be reused.
        let after = await #expect(throws: LeaderElectorError.self) { try await elector.run() }
        #expect(after?.code == .alreadyRan)
        #expect(after?.description.contains("create a new LeaderElector") == true)
        #expect(await h.callbacks.entries == ["stopped"], "a refused run reports nothing")
        #expect(await lock.count("get") == 1, "a refused run makes no lock call")
    }
}
