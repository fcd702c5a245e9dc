import Foundation
import LeaderElection
import Testing
import LeaderElectionTestKit

/// The leader's side: renewing, and the ways leadership ends (lease 10s, renew deadline 5s, retry 2s).
@Suite(.timeLimit(.minutes(1))) struct RenewalTests {
    let h = Harness()
    let lock = FakeLock(identity: "a")

    @Test func renewalKeepsAcquireTimeAndTransitions() async throws {
        let free = record("", transitions: 6, leaseSeconds: 1)
        await lock.script(get: [.record(free)], update: [.ok, .ok, .ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:7")
        await h.advance(by: .seconds(4), step: .seconds(2), settling: [elector])

        let updates = await lock.updated
        #expect(
            updates.map(\.record) == [
                record("a", transitions: 7, renewedAt: Harness.wall(0), acquiredAt: Harness.wall(0)),
                record("a", transitions: 7, renewedAt: Harness.wall(2), acquiredAt: Harness.wall(0)),
                record("a", transitions: 7, renewedAt: Harness.wall(4), acquiredAt: Harness.wall(0)),
            ])
        // Each write expects exactly the bytes of the previous one, and renewals read nothing first.
        #expect(await lock.count("get") == 1)
        #expect(updates.dropFirst().map(\.expecting) == updates.dropLast().map { $0.record.jsonBytes() })
        #expect(await elector.status().isLeader)
        #expect(await elector.status().sinceLastRenewal == .zero)
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries == ["new:a", "started:7", "work ended", "stopped"])
    }

    @Test func failingRenewalsEndLeadershipAtTheRenewDeadline() async throws {
        await lock.script(
            get: [.notFound, .networkError], create: [.ok],
            update: [.networkError, .networkError])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:0")
        await h.advance(by: .seconds(4), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader, "renewals at 2s and 4s failed, but 5s have not passed")

        await h.advance(by: .seconds(1), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader == false)
        #expect(h.messages.contains("failed to renew lease fake lock: a: timed out waiting for the condition"))
        #expect(
            await elector.status().lastStandDown?.hasPrefix("cut off: no renewal succeeded within the renew deadline 5s") == true)
        await h.callbacks.waitFor("stopped")
        #expect(await h.callbacks.entries == ["new:a", "started:0", "work ended", "stopped"])
        #expect(await lock.events == ["a became leader", "a stopped leading"])
        // Renewals at 2s and 4s are writes alone (the lock compares). After losing, it competes again at
        // once (the last get), and never wrote anything more.
        #expect(await lock.calls == ["get", "create", "event", "update", "update", "event", "get"])
        task.cancel()
        try await task.value
    }

    /// A process paused (or a clock jump) beyond the renew deadline stops leading before it touches
    /// the lock again.
    @Test func aPausedLeaderStopsLeadingBeforeAnyLockCall() async throws {
        await lock.script(get: [.notFound, .networkError], create: [.ok])
        let elector = h.elector(lock)
        let seen = CallbackLog()
        await lock.setProbe { verb in await seen.append("\(verb) leader=\(await elector.status().isLeader)") }
        let task = await h.running(elector)
        #expect(await elector.status().isLeader)

        await h.clock.advance(by: .seconds(7))
        await h.settle([elector])

        #expect(await elector.status().isLeader == false)
        #expect(await seen.entries == ["get leader=false", "create leader=false", "get leader=false"])
        #expect(await lock.count("update") == 0)
        task.cancel()
        try await task.value
    }

    @Test func aRecordNamingSomeoneElseEndsLeadershipAtOnce() async throws {
        let usurper = record("b", transitions: 1, renewedAt: Harness.wall(2))
        await lock.script(get: [.notFound, .record(usurper), .record(usurper)], create: [.ok], update: [.conflict])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:0")
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])

        #expect(await elector.status().isLeader == false)
        // The renewal's write is refused (the lock compares), and the read that follows shows b.
        #expect(await lock.calls.prefix(5) == ["get", "create", "event", "update", "get"])
        #expect(h.messages.contains("failed to renew lease fake lock: a: the lease is now held by b"))
        #expect(await elector.status().lastStandDown == "taken: the lease is now held by b")
        task.cancel()
        try await task.value
        // onNewLeader(b) comes as soon as b is seen; onStoppedLeading once the work ended, and again when
        // run() ends (as client-go, on every exit).
        #expect(await h.callbacks.entries == ["new:a", "started:0", "new:b", "work ended", "stopped", "stopped"])
    }

    @Test func aDeletedLockEndsLeadershipAtOnceAndTheNextCreateTakesANewTerm() async throws {
        await lock.script(get: [.notFound, .notFound, .notFound], create: [.ok, .ok], update: [.conflict])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:0")
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        #expect(h.messages.contains("failed to renew lease fake lock: a: the lease lock was deleted"))
        // Competing again at once, it creates the lock anew, with a term past the one it led: deleting
        // the lock file never resets the counter.
        #expect(await lock.created.map(\.renewTime) == [Harness.wall(0), Harness.wall(2)])
        #expect(await lock.created.map(\.leaderTransitions) == [0, 1])
        #expect(await elector.status().isLeader)
        task.cancel()
        try await task.value
        #expect(
            await h.callbacks.entries == ["new:a", "started:0", "work ended", "stopped", "started:1", "work ended", "stopped"])
    }

    /// After its term ended at the deadline, its own record is a lease like any other: rewriting it at
    /// once would reset every follower's wait. It is taken again once expired, with a new term.
    @Test func aLeaderThatLostItsTermWaitsOutItsOwnRecordThenTakesANewTerm() async throws {
        await lock.script(
            get: [.notFound, .lastWritten, .lastWritten, .lastWritten, .lastWritten],
            create: [.ok], update: [.networkError, .networkError, .ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:0")
        await h.advance(by: .seconds(4), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader)
        // t=5: the deadline ends the term; attempts at 5, 7 and 9 find our own record, unexpired.
        await h.advance(by: .seconds(5), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader == false)
        #expect(await lock.count("update") == 2, "only the renewals at 2s and 4s, which failed")
        // t=11: the record, unchanged since it was written at 0, has expired: claimed with term 1.
        await h.advance(by: .seconds(2), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader)
        #expect(
            await lock.updated.map(\.record).last
                == record(
                    "a", transitions: 1, renewedAt: Harness.wall(11), acquiredAt: Harness.wall(11)))
        task.cancel()
        try await task.value
        #expect(
            await h.callbacks.entries == [
                "new:a", "started:0", "work ended", "stopped", "started:1", "work ended", "stopped",
            ])
        #expect(await lock.events == ["a became leader", "a stopped leading", "a became leader", "a stopped leading"])
    }
}
