import Foundation
import InMemoryLogging
import Logging
import LeaderElection
import LeaderElectionTestKit
import Testing

/// A renew interval apart from the retry period (lease 30s, renew deadline 20s, retry 4s, renew
/// interval 10s): one write per interval while renewals succeed, retries every retryPeriod after a
/// failure, and the renew deadline enforced as before.
@Suite(.timeLimit(.minutes(1))) struct RenewIntervalTests {
    let h = Harness()

    static func config(renewInterval: Duration? = .seconds(10)) -> LeaderElectionConfig {
        try! LeaderElectionConfig(
            name: "test-election", leaseDuration: .seconds(30), renewDeadline: .seconds(20), retryPeriod: .seconds(4),
            renewInterval: renewInterval, releaseOnCancel: false)
    }

    /// Every lock call with the second it was made at, e.g. "update@10".
    func timedCalls(_ lock: FakeLock) async -> CallbackLog {
        let calls = CallbackLog()
        let clock = h.clock
        await lock.setProbe { verb in await calls.append("\(verb)@\(Int(clock.now.offset.secondsValue))") }
        return calls
    }

    /// Three lease periods (90s): a write every 10s with the interval, every 4s (client-go) without.
    @Test(arguments: [(Duration?.some(.seconds(10)), 10), (nil, 4)])
    func writesOncePerRenewInterval(interval: Duration?, everySeconds: Int) async throws {
        let store = LeaseStore()
        let elector = h.elector(
            InMemoryLock(store: store, identity: "a"), config: Self.config(renewInterval: interval))
        let task = h.start(elector)
        await h.advance(by: .seconds(90), step: .seconds(1), settling: [elector])
        task.cancel()
        try await task.value

        let expected = Array(stride(from: 0, through: 90, by: everySeconds))
        #expect(await store.writes.count == expected.count, "one create, then one write per period")
        #expect(await store.writes.map(\.renewTime) == expected.map { Harness.wall(Double($0)) })
    }

    @Test func aFailedRenewalIsRetriedEveryRetryPeriodThenTheIntervalResumes() async throws {
        let lock = FakeLock(identity: "a")
        let calls = await timedCalls(lock)
        await lock.script(
            get: [.notFound], create: [.ok], update: [.networkError, .ok, .ok])
        let elector = h.elector(lock, config: Self.config())
        let task = h.start(elector)
        await h.advance(by: .seconds(33), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader)
        task.cancel()
        try await task.value
        // 10: the write alone (the lock compares), failed; 14 (retryPeriod after that attempt began):
        // renewed; 24 (renewInterval later): renewed; 34 not reached. No renewal reads first.
        #expect(
            await calls.entries == [
                "get@0", "create@0", "update@10", "update@14", "update@24",
            ])
    }

    /// Renewals fail from 10s on (as while GitHub refuses every request): the term ends at the renew
    /// deadline, 20s after the last success, with one line that says why.
    @Test func theRenewDeadlineStillEndsTheTermAndTheLogSaysWhy() async throws {
        let lock = FakeLock(identity: "a")
        let calls = await timedCalls(lock)
        await lock.script(
            get: [.notFound, .networkError], create: [.ok],
            update: [.networkError, .networkError, .networkError])
        let elector = h.elector(lock, config: Self.config())
        let task = h.start(elector)
        await h.advance(by: .seconds(19), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader)
        await h.advance(by: .seconds(1), step: .seconds(1), settling: [elector])
        #expect(await elector.status().isLeader == false)
        task.cancel()
        try await task.value

        // Attempts at 10, 14 and 18; at 20 the deadline; then the candidate's first attempt at once.
        #expect(
            await calls.entries == [
                "get@0", "create@0", "update@10", "update@14", "update@18", "get@20",
            ])
        let ends = h.logs.entries.filter {
            $0.message.description == "failed to renew lease fake lock: a: timed out waiting for the condition"
        }
        #expect(ends.count == 1)
        #expect(ends.first?.metadata["reason"] == "connection refused")
    }
}
