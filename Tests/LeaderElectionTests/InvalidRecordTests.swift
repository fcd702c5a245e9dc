import Foundation
import LeaderElection
import LeaderElectionTestKit
import Testing

/// A lock whose content is not a record: reported, respected as a lease held by someone unknown, and
/// overwritten only once the same bytes stayed unchanged for a whole leaseDuration (10s here).
@Suite(.timeLimit(.minutes(1))) struct InvalidRecordTests {
    let h = Harness()
    let lock = FakeLock(identity: "a")
    let garbage = Array("{\"holderIdentity\": \"b\", oops".utf8)
    let otherGarbage = Array("still being edited".utf8)

    @Test func overwritesOnlyAfterLeaseDurationUnchanged() async throws {
        await lock.script(get: Array(repeating: .invalid(garbage), count: 6), update: [.ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(8), step: .seconds(2), settling: [elector])
        #expect(await lock.count("update") == 0)
        #expect(await elector.status().observedRecord == nil)

        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        let updates = await lock.updated
        #expect(updates.map(\.expecting) == [garbage])
        #expect(updates.map(\.record) == [record("a", transitions: 0, renewedAt: Harness.wall(10), acquiredAt: Harness.wall(10))])
        #expect(await elector.status().isLeader)
        // One clear line when the bytes are first seen, quoting the lock's message, not one per retry.
        let reports = h.messages.filter { $0.contains("holds content that is not a lease record") }
        #expect(
            reports == [
                "lease lock fake lock: a holds content that is not a lease record: the lock file is not JSON; "
                    + "it will be overwritten if it stays unchanged for 10s"
            ])
        task.cancel()
        try await task.value
    }

    @Test func theTimerRestartsWhenTheBytesChange() async throws {
        // t=0..4: garbage; t=6..16: other garbage, so expiry is at 6 + 10 = 16.
        await lock.script(
            get: Array(repeating: .invalid(garbage), count: 3) + Array(repeating: .invalid(otherGarbage), count: 6),
            update: [.ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(14), step: .seconds(2), settling: [elector])
        #expect(await lock.count("update") == 0)
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        #expect(await lock.updated.map(\.expecting) == [otherGarbage])
        task.cancel()
        try await task.value
    }

    @Test func theOverwriteContinuesTheLastValidTerm() async throws {
        let valid = record("b", transitions: 4)
        // t=0: valid; t=2..12: garbage, first seen at 2, so overwritten at 12.
        await lock.script(
            get: [.record(valid)] + Array(repeating: .invalid(garbage), count: 6), update: [.ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(10), step: .seconds(2), settling: [elector])
        #expect(await lock.count("update") == 0)
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        #expect(await lock.updated.map(\.record.leaderTransitions) == [5])
        await h.callbacks.waitFor("started:5")
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries.prefix(3) == ["new:b", "new:a", "started:5"])
    }

    @Test func aLeaderWhoseRecordTurnsInvalidStopsAtOnceAndWaitsALease() async throws {
        await lock.script(
            get: [.notFound] + Array(repeating: .invalid(garbage), count: 7), create: [.ok], update: [.conflict, .ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(2), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader == false)
        #expect(
            h.messages.contains(
                "failed to renew lease fake lock: a: the lease lock holds content that is not a lease record"))
        // Seen first by the renewal at 2 (its write refused, then the read), so even its former holder,
        // competing again at once, overwrites it only at 12.
        await h.advance(by: .seconds(8), step: .seconds(2), settling: [elector])
        #expect(await lock.count("update") == 1)
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        #expect(await lock.updated.map(\.record.leaderTransitions) == [0, 1])
        task.cancel()
        try await task.value
    }

    @Test func theInMemoryLockReportsInvalidContentToo() async throws {
        let store = LeaseStore(raw: otherGarbage)
        let elector = h.elector(InMemoryLock(store: store, identity: "a"))
        let task = h.start(elector)
        await h.advance(by: .seconds(8), step: .seconds(2), settling: [elector])
        #expect(await store.raw == otherGarbage)
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        #expect(await store.record?.holderIdentity == "a")
        task.cancel()
        try await task.value
    }
}
