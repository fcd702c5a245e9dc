import Foundation
import GistLock
@testable import GitSmartHTTP
import InMemoryLogging
import LeaderElection
import Logging
import Testing

/// While GitHub's rate limit is in force, the lock fails fast without the network, says so once with
/// the reset time in UTC, and the client exposes what a metrics scrape needs.
@Suite struct RateLimitHoldTests {
    static let limited = Reply.error(
        403, "API rate limit exceeded",
        headers: ["x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1763719500"])

    @Test func everyLockCallFailsFastDuringTheHoldAndOneLineSaysUntilWhen() async throws {
        let (logger, logs) = capturingLogger()
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        await fake.script(Self.limited)
        try await withFakeGitHub(fake) { url in
            let lock = makeLock(url, logger: logger)
            for _ in 0..<2 {
                #expect(await gitHubError { _ = try await lock.get() }?.code == .rateLimited)
                #expect(
                    await gitHubError {
                        try await lock.update(lease("napoleon", transitions: 2), expecting: lease("stalin").jsonBytes())
                    }?.code == .rateLimited)
                #expect(await gitHubError { try await lock.create(lease("napoleon")) }?.code == .rateLimited)
            }
        }
        #expect(await fake.requests.count == 1, "only the request that met the limit reached the server")
        let warnings = logs.entries
        #expect(
            warnings.map(\.message.description) == [
                "GitHub rate limit reached; no requests to GitHub until 2025-11-21T10:05:00Z (UTC)"
            ])
        #expect(warnings.first?.metadata["retry.at"] == "2025-11-21T10:05:00Z")
    }

    @Test func theSnapshotHasTheLastHeadersTheHoldAndTheCounts() async throws {
        let wall = WallTime(Date(timeIntervalSince1970: 1_763_719_200))
        let fake = FakeGitHub(files: [lockFile: "x"])
        await fake.script(Self.limited)
        try await withFakeGitHub(fake) { url in
            let client = makeClient(url, wall: wall)
            #expect(await client.rateLimitSnapshot == RateLimitSnapshot())
            #expect(await gitHubError { _ = try await client.getGist(gistID) }?.code == .rateLimited)
            #expect(await gitHubError { _ = try await client.getGist(gistID) }?.code == .rateLimited)
            let reset = Date(timeIntervalSince1970: 1_763_719_500)
            #expect(
                await client.rateLimitSnapshot
                    == RateLimitSnapshot(
                        latest: RateLimitStatus(limit: 5000, remaining: 0, reset: reset), retryAt: reset,
                        limitedAnswers: 1, heldRequests: 1))
            wall.advance(by: 300)
            _ = try await client.getGist(gistID)
            let after = await client.rateLimitSnapshot
            #expect(after.retryAt == nil)
            #expect(after.latest?.remaining == 4990)
            #expect(after.limitedAnswers == 1)
        }
    }

    /// A Retry-After beyond GitHub's hourly window is capped at an hour, as the reset is, and the
    /// warning names what GitHub asked for.
    @Test func aRetryAfterOfADayIsCappedAtAnHourAndTheWarningSaysSo() async throws {
        let (logger, logs) = capturingLogger()
        let wall = WallTime(Date(timeIntervalSince1970: 1_763_719_200))
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        await fake.script(.error(429, "You have exceeded a secondary rate limit.", headers: ["retry-after": "86400"]))
        try await withFakeGitHub(fake) { url in
            let lock = GistLock(client: makeClient(url, wall: wall), gistID: gistID, identity: "napoleon", logger: logger)
            let error = await gitHubError { _ = try await lock.get() }
            #expect(error?.retryAt == Date(timeIntervalSince1970: 1_763_719_200 + 3600))
            #expect(error?.cappedRetryAfter == 86400)
        }
        #expect(
            logs.entries.map(\.message.description) == [
                "GitHub rate limit reached; no requests to GitHub until 2025-11-21T11:00:00Z (UTC); GitHub asked for "
                    + "Retry-After: 86400 s, more than the hour its limits reset within, so the wait is capped at one hour"
            ])
    }
}
