import ArgumentParser
import Foundation
import InMemoryLogging
import LeaderElection
import LeaderElectionTestKit
import Logging
import Metrics
import Testing

@testable import leader_election

/// The renewal rule of docs/design.md at the app's own defaults (lease 50s, renew deadline 35s, retry 5s, renew
/// interval 16s, request timeout 2.5s): retry k of a failed renewal starts R + k·r after the last
/// success, so two retries and the last one's own time fit before the deadline (16 + 2·5 + 5 = 31 < 35)
/// even when every request takes the whole request timeout: a read 2.5s, a write (two requests) 5s.
@Suite(.timeLimit(.minutes(1))) struct DefaultScheduleTests {
    let clock = ManualClock()
    let logs = InMemoryLogHandler()
    let store = LeaseStore()

    func elector() throws -> LeaderElector {
        let settings = try RunSettings(RunOptions.parse(["--id", "napoleon"]), election: "e", environment: [:])
        let lock = InMemoryLock(
            store: store, identity: "napoleon",
            latency: .init(read: Self.timeout, write: Self.timeout * ElectionDefaults.requestsPerRenewal), clock: clock)
        let logs = logs
        var logger = Logger(label: "test", factory: { _ in logs })
        logger.logLevel = .debug
        return LeaderElector(
            config: settings.config, lock: lock,
            callbacks: LeaderCallbacks(onStartedLeading: { _ in }, onStoppedLeading: {}),
            clock: clock, wallClock: { [clock] in clock.wallTime }, jitter: { 0 },
            logger: logger, metrics: NOOPMetricsHandler.instance)
    }

    static let timeout = ElectionDefaults.requestTimeout

    /// The rule itself, at the defaults from the one definition.
    @Test func theDefaultsLeaveTwoRetriesOfASlowRenewal() throws {
        let config = try LeaderElectionConfig()
        let slow = ElectionDefaults.slowRenewal(requestTimeout: Self.timeout)
        let retries = ElectionDefaults.retriesLeft(
            renewInterval: try #require(config.renewInterval), renewDeadline: config.renewDeadline,
            retryPeriod: config.retryPeriod, slowAttempt: slow)
        #expect(retries >= 2)
        #expect(Self.timeout * 2 <= config.retryPeriod, "a failed attempt ends within a retry period")
    }

    /// Cancels the run, and lets the release (a write, so 5s) happen.
    func stop(_ task: Task<Void, any Error>, _ elector: LeaderElector) async throws {
        task.cancel()
        await clock.settle([elector])
        await clock.advance(by: .seconds(5))
        try await task.value
    }

    var events: [String] {
        logs.entries.compactMap { $0.metadata[ElectionEvent.metadataKey]?.description }
    }

    /// Leads from 0 (the read at 0..2.5, the create at 2.5..7.5); renews at 16 until 21.
    func leadingAfterTheFirstRenewal(_ elector: LeaderElector) async {
        await clock.settle([elector])
        await clock.advance(by: .seconds(21), step: .milliseconds(500), settling: [elector])
        #expect(await elector.status().isLeader)
        #expect(await elector.status().sinceLastRenewal == .seconds(5), "renewed by the attempt that began at 16")
    }

    @Test func twoFailedRenewalsInARowKeepTheTerm() async throws {
        let elector = try elector()
        let task = Task { try await elector.run() }
        await leadingAfterTheFirstRenewal(elector)
        // The renewals at 32 and 37 fail after their 5s; the one at 42 succeeds at 47, before the
        // deadline at 51 (35 after the last success began, at 16). Watched until 56, before the next
        // renewal (58), so that the stop finds no write in flight.
        await store.failWrites(2)
        let leading = await clock.leadership(of: elector, samples: 70, every: .milliseconds(500))
        #expect(!leading.contains(false), "the term held through both failures")
        #expect(events.filter { $0 == "renew_failed" }.count == 2)
        #expect(
            logs.entries.filter { $0.metadata[ElectionEvent.metadataKey] == "renew_failed" }.map(\.level) == [.info, .debug],
            "only the first retry of a streak is said at info level")
        #expect(!events.contains("lost"))
        #expect(events.filter { $0 == "acquired" }.count == 1)
        try await stop(task, elector)
    }

    @Test func threeFailedRenewalsInARowEndTheTermAtTheDeadline() async throws {
        let elector = try elector()
        let task = Task { try await elector.run() }
        await leadingAfterTheFirstRenewal(elector)
        await store.failWrites(3)
        await clock.advance(by: .milliseconds(29500), step: .milliseconds(500), settling: [elector])
        #expect(await elector.status().isLeader, "50.5: three renewals failed, the deadline is at 51")
        #expect(!events.contains("lost"))
        await clock.advance(by: .milliseconds(500), step: .milliseconds(500), settling: [elector])
        #expect(await elector.status().isLeader == false)
        #expect(events.contains("lost"))
        try await stop(task, elector)
    }
}
