import Foundation
import GistLock
@testable import GitSmartHTTP
import InMemoryLogging
import LeaderElectionTestKit
import LeaderElection
import Logging
import Testing

let lockFile = "multi-cluster-leader-election.lock"

func lease(_ holder: String, transitions: Int = 1, renewedAt seconds: TimeInterval = 10) -> LeaderElectionRecord {
    LeaderElectionRecord(
        holderIdentity: holder, leaseDurationSeconds: 30,
        acquireTime: Date(timeIntervalSince1970: 1_763_719_200),
        renewTime: Date(timeIntervalSince1970: 1_763_719_200 + seconds), leaderTransitions: transitions)
}

func content(_ record: LeaderElectionRecord) -> String { String(decoding: record.jsonBytes(), as: UTF8.self) }

func makeLock(
    _ url: URL, identity: String = "napoleon", clock: ManualClock = ManualClock(onSleep: { _ in }),
    logger: Logger = Logger(label: "gist-lock-test") { _ in SwiftLogNoOpLogHandler() },
    wall: WallTime = WallTime(Date(timeIntervalSince1970: 1_763_719_200))
) -> GistLock {
    GistLock(client: makeClient(url, wall: wall), gistID: gistID, identity: identity, clock: clock, logger: logger)
}

/// Lock file content that is not a record, with the reason and quote its error must give.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    var name: String
    var stored: String
    var reason: String
    var quote: String
    var testDescription: String { name }
}

let invalidCases = [
    InvalidCase(
        name: "plain text", stored: "hello \"world\"", reason: "not valid JSON",
        quote: #"first bytes: "hello \"world\"""#),
    InvalidCase(
        name: "no lease duration", stored: #"{"holderIdentity":"x"}"#, reason: #"no "leaseDurationSeconds" field"#,
        quote: #"first bytes: "{\"holderIdentity\":\"x\"}""#),
    InvalidCase(
        name: "bad timestamp", stored: #"{"holderIdentity":"x","leaseDurationSeconds":3,"renewTime":"yesterday"}"#,
        reason: #"renewTime "yesterday" is not an RFC 3339 timestamp"#, quote: #"first bytes: "{\"holderIdentity\""#),
    InvalidCase(
        name: "long", stored: String(repeating: "A", count: 100) + "\n", reason: "not valid JSON",
        quote: "first bytes: \"" + String(repeating: "A", count: 80) + "...\""),
]

/// The `ResourceLockError` that `call` throws, failing the test when it throws none or another error.
func lockError(
    sourceLocation: SourceLocation = #_sourceLocation, _ call: () async throws -> Void
) async -> ResourceLockError? {
    await #expect(throws: ResourceLockError.self, sourceLocation: sourceLocation) { try await call() }
}

@Suite struct GistLockReadTests {
    @Test func describesItselfAsTheGoOriginalDoes() async throws {
        let lock = makeLock(URL(string: "http://127.0.0.1:1")!)
        #expect(lock.describe == "Github gist lock: napoleon")
        #expect(lock.identity == "napoleon")
        #expect(lock.fileName == lockFile)
        #expect(GistLock.fileName(election: "payments") == "payments.lock")
    }

    @Test func presentFileGivesTheRecordAndItsExactBytes() async throws {
        // Not the canonical encoding: raw must be what is stored, not a re-encoding.
        let stored =
            "{ \"holderIdentity\": \"stalin\", \"leaseDurationSeconds\": 30, \"acquireTime\": null,\n"
            + "  \"renewTime\": \"2025-11-21T10:00:10.5Z\", \"leaderTransitions\": 4 }\n"
        let fake = FakeGitHub(files: [lockFile: stored, "README.md": "docs"])
        try await withFakeGitHub(fake) { url in
            let observed = try #require(try await makeLock(url).get())
            #expect(observed.raw == Array(stored.utf8))
            #expect(observed.record.holderIdentity == "stalin")
            #expect(observed.record.leaderTransitions == 4)
        }
        #expect(await fake.requestLines == ["GET /gists/\(gistID)"])
    }

    @Test func absentFileIsAnAbsentLock() async throws {
        let fake = FakeGitHub(files: ["README.md": "docs", "other-election.lock": content(lease("stalin"))])
        try await withFakeGitHub(fake) { url in
            let observed = try await makeLock(url).get()
            #expect(observed == nil)
        }
    }

    /// GitHub lists only the first 300 files of a larger gist (top-level `truncated`): a lock file not
    /// among them is unknown, never absent, or the lock would be created again over a live record.
    @Test func aTruncatedFileListWithoutTheLockIsAPermanentErrorNotAnAbsentLock() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        await fake.script(
            Reply(
                status: 200, headers: ["etag": #"W/"cut""#],
                body: #"{"id":"\#(gistID)","files":{"README.md":{"filename":"README.md","type":"text/plain","size":4,"#
                    + #""truncated":false,"content":"docs","encoding":"utf-8"}},"truncated":true}"#))
        try await withFakeGitHub(fake) { url in
            let error = try #require(await lockError { _ = try await makeLock(url).get() })
            #expect(error.code == .permanent)
            #expect(error.message.contains("more than 300 files") && error.message.contains("fewer files"), "\(error)")
        }
    }

    @Test func absentGistIsAnErrorNotAnAbsentLock() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        await fake.deleteGist()
        try await withFakeGitHub(fake) { url in
            // A failure no retry heals, in the lock contract's words, with GitHub's message.
            let error = try #require(await lockError { _ = try await makeLock(url).get() })
            #expect(error.code == .permanent)
            #expect(error.message.hasPrefix("gist ") && error.message.contains("not found"), "\(error)")
        }
    }

    @Test(arguments: invalidCases)
    func invalidContentIsReportedWithItsFirstBytes(_ invalid: InvalidCase) async throws {
        let stored = invalid.stored
        let fake = FakeGitHub(files: [lockFile: stored])
        try await withFakeGitHub(fake) { url in
            let error = try #require(await lockError { _ = try await makeLock(url).get() })
            #expect(error.code == .invalidRecord)
            #expect(error.raw == Array(stored.utf8))
            #expect(
                error.message.hasPrefix("lock file \(lockFile) in gist \(gistID) is not a lease record: \(invalid.reason); "),
                "\(error.message)")
            #expect(error.message.contains(invalid.quote), "\(error.message)")
        }
    }

    @Test func truncatedFileIsAnInvalidRecord() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        await fake.setTruncated(lockFile)
        try await withFakeGitHub(fake) { url in
            let error = try #require(await lockError { _ = try await makeLock(url).get() })
            #expect(error.code == .invalidRecord)
            #expect(error.message.contains("truncated"))
        }
    }

    @Test func unchangedGistIsReadConditionallyAndReused() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        try await withFakeGitHub(fake) { url in
            let lock = makeLock(url)
            let first = try await lock.get()
            let second = try await lock.get()
            #expect(first != nil)
            #expect(first == second)
            await fake.setFile(lockFile, content(lease("stalin", renewedAt: 20)))
            #expect(try await lock.get()?.record.renewTime == Date(timeIntervalSince1970: 1_763_719_220))
        }
        let requests = await fake.requests
        #expect(requests.map { $0.headers["if-none-match"] } == [nil, #"W/"rev-1""#, #"W/"rev-1""#])
    }

    @Test func recordEventLogsAtInfoWithTheLock() async throws {
        let (logger, logs) = capturingLogger()
        let lock = makeLock(URL(string: "http://127.0.0.1:1")!, logger: logger)
        await lock.recordEvent("napoleon became leader")
        let line = try #require(logs.entries.first)
        #expect(logs.entries.count == 1)
        #expect(line.level == .info)
        #expect(line.message.description == "napoleon became leader")
        #expect(line.metadata["lock"] == "Github gist lock: napoleon")
        #expect(line.metadata["gist.id"] == "\(gistID)")
        #expect(line.metadata["gist.file"] == "\(lockFile)")
    }

    @Test func aRateLimitIsLoggedOnceWhileRequestsWait() async throws {
        let (logger, logs) = capturingLogger()
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        await fake.script(
            .error(403, "API rate limit exceeded", headers: ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "1763719500"]))
        try await withFakeGitHub(fake) { url in
            let lock = makeLock(url, logger: logger)
            for _ in 0..<3 {
                await #expect(throws: GitHubError.self) { _ = try await lock.get() }
            }
        }
        let warnings = logs.entries
        #expect(warnings.count == 1)
        #expect(warnings.first?.level == .warning)
        #expect(warnings.first?.metadata["retry.at"] == "2025-11-21T10:05:00Z")
        #expect(await fake.requests.count == 1)
    }
}
