import Foundation
import InMemoryLogging
import LeaderElection
import LeaderElectionTestKit
import Logging
import Testing

/// Expected events stay off the error level, and an operator tells from status and health why a copy
/// does not lead: another copy won, the store was out of reach, or the store throttles it and until when.
@Suite(.timeLimit(.minutes(1))) struct LockTroubleTests {
    let h = Harness()

    /// Losing the race to create the lock is the election working: one info line, no warning or error.
    @Test func losingTheCreateRaceIsLoggedAtInfoAndNotAsAnError() async throws {
        let lock = FakeLock(identity: "b")
        await lock.script(get: [.notFound, .record(record("a"))], create: [.conflict])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        task.cancel()
        try await task.value

        #expect(await lock.calls == ["get", "create", "get"])
        let lost = h.logs.entries.filter {
            "\($0.message)" == "lease lock fake lock: b was created by another copy first; following it"
        }
        #expect(lost.map(\.level) == [.info])
        let loud = h.logs.entries.filter { $0.level >= .warning }.map { "\($0.level): \($0.message)" }
        #expect(loud == [])
        #expect(await elector.status().leader == "a")
    }

    /// A throttled store: the status and the health check say so, with the time the lock named, and
    /// forget it once a call succeeds; the probe's status stays healthy.
    @Test func aThrottledCopySaysSoAndUntilWhenInStatusAndHealth() async throws {
        let store = LeaseStore(raw: record("b").jsonBytes())
        let lock = ThrottlingLock(InMemoryLock(store: store, identity: "a"))
        let elector = h.elector(lock)
        let task = await h.running(elector)
        #expect(await elector.status().lastLockError == nil)
        #expect(await elector.healthCheck(maxTolerableExpiredLease: .zero).message == "not leading election test-election")

        await lock.throttle(true)
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        let said = "throttled: \(Throttled.text)"
        #expect(await elector.status().lastLockError == said)
        let health = await elector.healthCheck(maxTolerableExpiredLease: .zero)
        #expect(
            health
                == HealthCheckResult(
                    isHealthy: true, message: "not leading election test-election; last lock call failed (\(said))"))
        #expect(h.messages.contains("error retrieving resource lock in-memory lock: a: \(Throttled.text)"))

        await lock.throttle(false)
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        #expect(await elector.status().lastLockError == nil)
        task.cancel()
        try await task.value
    }

    /// After a stand-down the health message names its cause: cut off (no renewal within the deadline)
    /// or taken (another copy holds the lease); both answer healthy.
    @Test(arguments: [true, false])
    func healthNamesWhyLeadershipEnded(cutOff: Bool) async throws {
        let lock = FakeLock(identity: "a")
        let usurper = record("b", transitions: 1, renewedAt: Harness.wall(2))
        if cutOff {
            await lock.script(get: [.notFound, .networkError], create: [.ok], update: [.networkError, .networkError])
        } else {
            await lock.script(get: [.notFound, .record(usurper), .record(usurper)], create: [.ok], update: [.conflict])
        }
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:0")
        await h.advance(by: .seconds(cutOff ? 5 : 2), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader == false)
        let health = await elector.healthCheck(maxTolerableExpiredLease: .zero)
        #expect(health.isHealthy)
        if cutOff {
            #expect(
                health.message.hasPrefix(
                    "not leading election test-election; last lock call failed (unreachable: connection refused); "
                        + "last stood down: cut off: no renewal succeeded within the renew deadline 5s"))
        } else {
            #expect(health.message == "not leading election test-election; last stood down: taken: the lease is now held by b")
        }
        task.cancel()
        try await task.value
    }
}

/// What a GitHub lock throws at a rate limit, as the elector sees it: an error of kind throttled that
/// names the time requests resume.
struct Throttled: ClassifiedLockError, CustomStringConvertible {
    static let text = "GitHub rate limit reached (429) on GET /gists/g: no requests until 2026-12-03T23:00:00Z (UTC)"
    var lockErrorKind: LockErrorKind { .throttled }
    var description: String { Self.text }
}

/// A lock whose every call meets a rate limit while `throttle(true)` holds; otherwise the inner lock's.
actor ThrottlingLock: ResourceLock {
    let inner: any ResourceLock
    private var throttled = false
    nonisolated var identity: String { inner.identity }
    nonisolated var describe: String { inner.describe }

    init(_ inner: any ResourceLock) { self.inner = inner }

    func throttle(_ on: Bool) { throttled = on }

    func get() async throws -> ObservedRecord? {
        if throttled { throw Throttled() }
        return try await inner.get()
    }

    func create(_ record: LeaderElectionRecord) async throws {
        if throttled { throw Throttled() }
        try await inner.create(record)
    }

    func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8]) async throws {
        if throttled { throw Throttled() }
        try await inner.update(record, expecting: observedRaw)
    }

    func recordEvent(_ message: String) async { await inner.recordEvent(message) }
}
