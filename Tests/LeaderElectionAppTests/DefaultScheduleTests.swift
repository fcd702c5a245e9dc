import ArgumentParser
import Foundation
import InMemoryLogging
import LeaderElection
import LeaderElectionTestKit
import Logging
import Metrics
import Testing

@testable import leader_election

/// The README's renewal rule at the app's own defaults (lease 30s, renew deadline 15s, retry 5s, renew
/// interval 2.5s): retry k of a failed renewal starts R + k·r after the last success, so two retries and
/// the last one's own time fit before the deadline (2.5 + 2·5 + 2 = 14.5 < 15) even when every request
/// takes 1s: a read 1s, a write (a compare and a PATCH) 2s.
@Suite(.timeLimit(.minutes(1))) struct DefaultScheduleTests {
    let clock = ManualClock()
    let logs = InMemoryLogHandler()
    let store = LeaseStore()

    func elector() throws -> LeaderElector {
        let settings = try RunSettings(RunOptions.parse(["--id", "napoleon"]), election: "e", environment: [:])
        let lock = InMemoryLock(
            store: store, identity: "napoleon", latency: .init(read: .seconds(1), write: .seconds(2)), clock: clock)
        let logs = logs
        var logger = Logger(label: "test", factory: { _ in logs })
        logger.logLevel = .debug
        return LeaderElector(
            config: settings.config, lock: lock,
            callbacks: LeaderCallbacks(onStartedLeading: { _ in }, onStoppedLeading: {}),
            clock: clock, wallClock: { [clock] in clock.wallTime }, jitter: { 0 },
            logger: logger, metrics: NOOPMetricsHandler.instance)
    }

    /// Cancels the run, and lets the release (a write, so 2s) happen.
    func stop(_ task: Task<Void, any Error>) async throws {
        task.cancel()
        await clock.waitForSleepers(1)
        await clock.advance(by: .seconds(2))
        try await task.value
    }

    var events: [String] {
        logs.entries.compactMap { $0.metadata[ElectionEvent.metadataKey]?.description }
    }

    /// Leads from 0 (the read at 0..1, the create at 1..3); renews at 3 (2.5 has passed) until 5.
    func leadingAfterTheFirstRenewal(_ elector: LeaderElector) async {
        await clock.settle([elector])
        await clock.advance(by: .seconds(5), step: .milliseconds(500), settling: [elector])
        #expect(await elector.status().isLeader)
        #expect(await elector.status().sinceLastRenewal == .seconds(2), "renewed by the attempt that began at 3")
    }

    @Test func twoFailedRenewalsInARowKeepTheTerm() async throws {
        let elector = try elector()
        let task = Task { try await elector.run() }
        await leadingAfterTheFirstRenewal(elector)
        // The renewals at 5.5 and 10.5 fail after their 2s; the one at 15.5 succeeds at 17.5, before the
        // deadline at 18 (15 after the last success began, at 3).
        await store.failWrites(2)
        var leading: [Bool] = []
        for _ in 0..<30 {
            await clock.advance(by: .milliseconds(500), step: .milliseconds(500), settling: [elector])
            leading.append(await elector.status().isLeader)
        }
        #expect(!leading.contains(false), "the term held through both failures")
        #expect(events.filter { $0 == "renew_failed" }.count == 2)
        #expect(
            logs.entries.filter { $0.metadata[ElectionEvent.metadataKey] == "renew_failed" }.map(\.level) == [.info, .debug],
            "only the first retry of a streak is said at info level")
        #expect(!events.contains("lost"))
        #expect(events.filter { $0 == "acquired" }.count == 1)
        try await stop(task)
    }

    @Test func threeFailedRenewalsInARowEndTheTermAtTheDeadline() async throws {
        let elector = try elector()
        let task = Task { try await elector.run() }
        await leadingAfterTheFirstRenewal(elector)
        await store.failWrites(3)
        await clock.advance(by: .milliseconds(12500), step: .milliseconds(500), settling: [elector])
        #expect(await elector.status().isLeader, "17.5: three renewals failed, the deadline is at 18")
        #expect(!events.contains("lost"))
        await clock.advance(by: .milliseconds(500), step: .milliseconds(500), settling: [elector])
        #expect(await elector.status().isLeader == false)
        #expect(events.contains("lost"))
        try await stop(task)
    }
}
