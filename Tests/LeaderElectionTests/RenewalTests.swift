import Foundation
import LeaderElection
import Testing

/// The leader's side: renewing, and the ways leadership ends (lease 10s, renew deadline 5s, retry 2s).
@Suite(.timeLimit(.minutes(1))) struct RenewalTests {
    let h = Harness()
    let lock = FakeLock(identity: "a")

    @Test func renewalKeepsAcquireTimeAndTransitions() async throws {
        let free = record("", transitions: 6, leaseSeconds: 1)
        await lock.script(get: [.record(free), .lastWritten, .lastWritten], update: [.ok, .ok, .ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:7")
        await h.advance(by: .seconds(4), step: .seconds(2), settling: [elector])

        let updates = await lock.updated
        #expect(updates.map(\.record) == [
            record("a", transitions: 7, renewedAt: Harness.wall(0), acquiredAt: Harness.wall(0)),
            record("a", transitions: 7, renewedAt: Harness.wall(2), acquiredAt: Harness.wall(0)),
            record("a", transitions: 7, renewedAt: Harness.wall(4), acquiredAt: Harness.wall(0)),
        ])
        // Each write expects exactly the bytes of the previous one.
        #expect(updates.dropFirst().map(\.expecting) == updates.dropLast().map { $0.record.jsonBytes() })
        #expect(await elector.status().isLeader)
        #expect(await elector.status().sinceLastRenewal == .zero)
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries == ["new:a", "started:7", "work ended", "stopped"])
    }

    @Test func failingRenewalsEndLeadershipAtTheRenewDeadline() async throws {
        await lock.script(
            get: [.notFound, .lastWritten, .lastWritten, .networkError], create: [.ok],
            update: [.networkError, .networkError])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:0")
        await h.advance(by: .seconds(4), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader, "renewals at 2s and 4s failed, but 5s have not passed")

        await h.advance(by: .seconds(1), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader == false)
        #expect(h.messages.contains("failed to renew lease fake lock: a: timed out waiting for the condition"))
        await h.callbacks.waitFor("stopped")
        #expect(await h.callbacks.entries == ["new:a", "started:0", "work ended", "stopped"])
        #expect(await lock.events == ["a became leader", "a stopped leading"])
        // After losing, it competes again at once (the last get), and never wrote anything more.
        #expect(await lock.calls == ["get", "create", "event", "get", "update", "get", "update", "event", "get"])
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
        let task = h.start(elector)
        await h.settle([elector])
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
        await lock.script(get: [.notFound, .record(usurper), .record(usurper)], create: [.ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:0")
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])

        #expect(await elector.status().isLeader == false)
        #expect(await lock.count("update") == 0)
        #expect(h.messages.contains("failed to renew lease fake lock: a: the lease is now held by b"))
        task.cancel()
        try await task.value
        // onNewLeader(b) comes as soon as b is seen; onStoppedLeading once the work ended, and again when
        // run() ends (as client-go, on every exit).
        #expect(await h.callbacks.entries == ["new:a", "started:0", "new:b", "work ended", "stopped", "stopped"])
    }

    @Test func aDeletedLockEndsLeadershipAtOnce() async throws {
        await lock.script(get: [.notFound, .notFound, .notFound], create: [.ok, .ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:0")
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        #expect(h.messages.contains("failed to renew lease fake lock: a: the lease lock was deleted"))
        // Competing again at once, it creates the lock anew (term 0, as client-go's create).
        #expect(await lock.created.map(\.renewTime) == [Harness.wall(0), Harness.wall(2)])
        #expect(await elector.status().isLeader)
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries == ["new:a", "started:0", "work ended", "stopped", "started:0", "work ended", "stopped"])
    }

    @Test func aLeaderThatSeesItsOwnRecordAfterLosingTakesItBackWithTheSameTerm() async throws {
        // As client-go: a record that still names us is ours to renew, keeping its term.
        await lock.script(
            get: [.notFound, .networkError, .networkError, .lastWritten], create: [.ok], update: [.ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:0")
        await h.advance(by: .seconds(4), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader)
        // t=5: the deadline ends the term; the attempt that follows at once finds our own record.
        await h.advance(by: .seconds(1), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader)
        #expect(await lock.updated.map(\.record) == [
            record("a", transitions: 0, renewedAt: Harness.wall(5), acquiredAt: Harness.wall(0))
        ])
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries == [
            "new:a", "started:0", "work ended", "stopped", "started:0", "work ended", "stopped",
        ])
        #expect(await lock.events == ["a became leader", "a stopped leading", "a became leader", "a stopped leading"])
    }
}
