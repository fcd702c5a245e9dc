import Foundation
import LeaderElection
import Testing
import LeaderElectionTestKit

/// tryAcquireOrRenew from a candidate's side, against a scripted lock (lease 10s, retry 2s, no jitter).
@Suite(.timeLimit(.minutes(1))) struct AcquisitionTests {
    let h = Harness()
    let lock = FakeLock(identity: "a")

    @Test func createsAnAbsentLockAndLeadsWithTermZero() async throws {
        await lock.script(get: [.notFound], create: [.ok])
        let elector = h.elector(lock)
        let task = await h.running(elector)

        #expect(await elector.status().isLeader)
        #expect(await lock.created == [record("a", transitions: 0, renewedAt: Harness.wall(0), acquiredAt: Harness.wall(0))])
        #expect(await lock.events == ["a became leader"])
        await h.callbacks.waitFor("started:0")
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries == ["new:a", "started:0", "work ended", "stopped"])
        #expect(await lock.calls == ["get", "create", "event", "event"])
    }

    @Test func takesAFreeLeaseAtOnceWithTransitionsPlusOne() async throws {
        let released = record("", transitions: 3, leaseSeconds: 1)
        await lock.script(get: [.record(released)], update: [.ok])
        let elector = h.elector(lock)
        let task = await h.running(elector)

        #expect(await elector.status().isLeader)
        let updates = await lock.updated
        #expect(updates.map(\.record) == [record("a", transitions: 4, renewedAt: Harness.wall(0), acquiredAt: Harness.wall(0))])
        #expect(updates.map(\.expecting) == [released.jsonBytes()])
        task.cancel()
        try await task.value
        // No onNewLeader for the empty holder.
        #expect(await h.callbacks.entries.first == "new:a")
    }

    /// A record naming us with an older term than one already seen is our own write landing late, after
    /// another copy led with the newer term: it is claimed with a new term, never resumed with the old one.
    @Test func aLateWriteOfOursIsNotResumedWithItsOldTerm() async throws {
        let other = record("b", transitions: 5, leaseSeconds: 10)
        let lateOfOurs = record("a", transitions: 4, leaseSeconds: 10)
        await lock.script(get: [.record(other), .record(lateOfOurs)], update: [.ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])

        #expect(await elector.status().isLeader)
        let updates = await lock.updated
        #expect(updates.map(\.record.leaderTransitions) == [6])
        #expect(updates.map(\.expecting) == [lateOfOurs.jsonBytes()])
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries.contains("started:6"))
    }

    /// The record was renewed long ago by the remote clock, yet it is respected for a full lease after
    /// we first saw it: expiry is judged from our observation, never from renewTime.
    @Test func takesAnUnchangedLeaseOnlyAfterLeaseDurationFromFirstSight() async throws {
        let ancient = record("b", transitions: 2, renewedAt: Date(timeIntervalSince1970: 0))
        await lock.script(get: Array(repeating: .record(ancient), count: 6), update: [.ok])
        let elector = h.elector(lock)
        let task = await h.running(elector)
        for _ in 1...4 {  // t = 2, 4, 6, 8
            await h.clock.advance(by: .seconds(2))
            await h.settle([elector])
            #expect(await lock.count("update") == 0)
            #expect(await elector.status().isLeader == false)
        }
        await h.clock.advance(by: .seconds(2))  // t = 10: unchanged for 10s
        await h.settle([elector])

        #expect(await elector.status().isLeader)
        #expect(
            await lock.updated.map(\.record) == [
                record("a", transitions: 3, renewedAt: Harness.wall(10), acquiredAt: Harness.wall(10))
            ])
        await h.callbacks.waitFor("started:3")
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries.prefix(3) == ["new:b", "new:a", "started:3"])
    }

    @Test func aChangeOfTheRecordRestartsTheLease() async throws {
        let first = record("b", renewedAt: Harness.wall(0))
        let renewed = record("b", renewedAt: Harness.wall(4))
        // t=0, 2: first; t=4..12: renewed (unchanged from t=4); t=14: expired.
        await lock.script(
            get: [.record(first), .record(first)] + Array(repeating: .record(renewed), count: 6), update: [.ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(12), step: .seconds(2), settling: [elector])
        #expect(await lock.count("update") == 0)
        await h.clock.advance(by: .seconds(2))
        await h.settle([elector])
        #expect(await elector.status().isLeader)
        #expect(await lock.count("get") == 8)
        task.cancel()
        try await task.value
    }

    @Test func usesTheRecordsOwnLeaseDuration() async throws {
        let short = record("b", leaseSeconds: 4)
        await lock.script(get: Array(repeating: .record(short), count: 3), update: [.ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.expectLeadsOnlyAfter(elector, following: .seconds(2), then: .seconds(2), step: .seconds(2))
        task.cancel()
        try await task.value
    }

    /// client-go's JitterUntil: retryPeriod x (1 + 1.2 x jitter) after the end of each attempt.
    // Out-of-range jitter is clamped to 0...1 (4.4s, plus floating-point noise, for 7.0).
    @Test(arguments: [(0.0, 2000), (0.5, 3200), (0.999, 4398), (7.0, 4401), (-1.0, 2000)])
    func retriesAfterTheJitteredPeriod(jitter: Double, pauseMilliseconds: Int) async throws {
        await lock.script(get: [.networkError, .networkError, .networkError])
        let elector = h.elector(lock, jitter: jitter)
        let task = h.start(elector)
        let pause = Duration.milliseconds(pauseMilliseconds)
        await h.advance(by: pause - .milliseconds(1), step: pause - .milliseconds(1), settling: [elector])
        #expect(await lock.count("get") == 1)
        await h.advance(by: .milliseconds(1), step: .milliseconds(1), settling: [elector])
        #expect(await lock.count("get") == 2)
        await h.advance(by: pause, step: pause, settling: [elector])
        #expect(await lock.count("get") == 3)
        task.cancel()
        try await task.value
    }

    @Test func aFailureIsLoggedAgainOnceSomethingWentWell() async throws {
        let other = LeaderElectionRecord(
            holderIdentity: "b", leaseDurationSeconds: 10, acquireTime: nil, renewTime: nil, leaderTransitions: 1)
        await lock.script(get: [.networkError, .networkError, .record(other), .networkError])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(6), step: .seconds(2), settling: [elector])

        #expect(await lock.calls == ["get", "get", "get", "get"])
        #expect(h.messages.filter { $0 == "error retrieving resource lock fake lock: a: connection refused" }.count == 2)
        task.cancel()
        try await task.value
    }

    @Test func aNetworkErrorNeverLeadsToCreate() async throws {
        await lock.script(get: Array(repeating: .networkError, count: 4))
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(6), step: .seconds(2), settling: [elector])

        #expect(await lock.calls == ["get", "get", "get", "get"])
        #expect(await elector.status().isLeader == false)
        // The same failure is logged as an error once; its repeats go to the debug level, below this logger's.
        #expect(h.messages.filter { $0 == "error retrieving resource lock fake lock: a: connection refused" }.count == 1)
        #expect(h.messages.filter { $0.contains("connection refused") }.count == 1)
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries == ["stopped"])
    }

    @Test func aCreateConflictIsAFailedAttempt() async throws {
        let winner = record("b", renewedAt: Harness.wall(0))
        await lock.script(get: [.notFound, .record(winner)], create: [.conflict])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        #expect(await elector.status().isLeader == false)
        #expect(await elector.status().observedRecord == winner)
        task.cancel()
        try await task.value
        #expect(await h.callbacks.entries == ["new:b", "stopped"])
    }

    @Test func anUpdateConflictIsAFailedAttempt() async throws {
        let released = record("", transitions: 1, leaseSeconds: 1)
        await lock.script(get: [.record(released), .record(record("b", transitions: 2))], update: [.conflict])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        #expect(await elector.status().isLeader == false)
        #expect(await lock.count("update") == 1)
        task.cancel()
        try await task.value
    }
}
