import Foundation
import GistLock
@testable import GitSmartHTTP
import LeaderElectionTestKit
import LeaderElection
import Logging
import Testing

/// The content a PATCH request set for each file it named.
func patchedContents(_ request: RecordedRequest) -> [String: String] {
    request.files.compactMapValues { ($0 as? [String: Any])?["content"] as? String }
}

@Suite struct GistLockWriteTests {
    @Test func createAddsOnlyTheLockFileThenConfirmsIt() async throws {
        let fake = FakeGitHub(files: ["README.md": "docs"])
        let sleeps = Recorder<Duration>()
        let clock = ManualClock { await sleeps.append($0) }
        try await withFakeGitHub(fake) { url in
            try await makeLock(url, clock: clock).create(lease("napoleon"))
        }
        let requests = await fake.requests
        #expect(await fake.requestLines == ["GET /gists/\(gistID)", "PATCH /gists/\(gistID)", "GET /gists/\(gistID)"])
        #expect(patchedContents(requests[1]) == [lockFile: content(lease("napoleon"))])
        #expect(await fake.files == ["README.md": "docs", lockFile: content(lease("napoleon"))])
        #expect(await sleeps.values == [.seconds(1)])
    }

    @Test func createFindingTheFileIsAConflict() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        try await withFakeGitHub(fake) { url in
            let error = try #require(await lockError { try await makeLock(url).create(lease("napoleon")) })
            #expect(error.code == .conflict)
        }
        #expect(await fake.requestLines == ["GET /gists/\(gistID)"])
        #expect(await fake.files == [lockFile: content(lease("stalin"))])
    }

    @Test func createOverwrittenDuringTheSettleTimeIsAConflict() async throws {
        let fake = FakeGitHub()
        let clock = ManualClock { _ in await fake.setFile(lockFile, content(lease("stalin"))) }
        try await withFakeGitHub(fake) { url in
            let error = try #require(await lockError { try await makeLock(url, clock: clock).create(lease("napoleon")) })
            #expect(error.code == .conflict)
        }
    }

    @Test func renewalWritesOnlyTheLockFileAndSkipsTheReadBack() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("napoleon")), "README.md": "docs", "notes.txt": "keep"])
        let sleeps = Recorder<Duration>()
        let clock = ManualClock { await sleeps.append($0) }
        try await withFakeGitHub(fake) { url in
            let lock = makeLock(url, clock: clock)
            let observed = try #require(try await lock.get())
            try await lock.update(lease("napoleon", renewedAt: 20), expecting: observed.raw)
        }
        let requests = await fake.requests
        #expect(await fake.requestLines == ["GET /gists/\(gistID)", "GET /gists/\(gistID)", "PATCH /gists/\(gistID)"])
        #expect(requests[1].headers["if-none-match"] == #"W/"rev-1""#)
        #expect(patchedContents(requests[2]) == [lockFile: content(lease("napoleon", renewedAt: 20))])
        #expect(
            await fake.files == [
                lockFile: content(lease("napoleon", renewedAt: 20)), "README.md": "docs", "notes.txt": "keep",
            ])
        #expect(await sleeps.values.isEmpty)
    }

    /// The lock file changed since it was read, or is gone.
    @Test(arguments: [[lockFile: content(lease("stalin", renewedAt: 20))], ["README.md": "docs"]])
    func anUpdateOfAChangedOrDeletedFileIsAConflictAndWritesNothing(files: [String: String]) async throws {
        let fake = FakeGitHub(files: files)
        try await withFakeGitHub(fake) { url in
            let error = try #require(
                await lockError {
                    try await makeLock(url).update(lease("napoleon", transitions: 2), expecting: lease("stalin").jsonBytes())
                })
            #expect(error.code == .conflict)
        }
        #expect(await fake.requestLines == ["GET /gists/\(gistID)"])
    }

    @Test func takeoverIsConfirmedByReadingBack() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        let sleeps = Recorder<Duration>()
        let clock = ManualClock { await sleeps.append($0) }
        try await withFakeGitHub(fake) { url in
            try await makeLock(url, clock: clock).update(
                lease("napoleon", transitions: 2), expecting: lease("stalin").jsonBytes())
        }
        #expect(await fake.requestLines == ["GET /gists/\(gistID)", "PATCH /gists/\(gistID)", "GET /gists/\(gistID)"])
        #expect(await fake.files == [lockFile: content(lease("napoleon", transitions: 2))])
        #expect(await sleeps.values == [.seconds(1)])
    }

    /// A claim of one's own record with a new term (after a restart, or after one's term ended) can race
    /// a follower taking over the same bytes: it is confirmed by reading back, as a takeover is.
    @Test func aNewTermOverOurOwnRecordIsConfirmedByReadingBack() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("napoleon", transitions: 3))])
        let sleeps = Recorder<Duration>()
        let clock = ManualClock { await sleeps.append($0) }
        try await withFakeGitHub(fake) { url in
            try await makeLock(url, clock: clock).update(
                lease("napoleon", transitions: 4), expecting: lease("napoleon", transitions: 3).jsonBytes())
        }
        #expect(await fake.requestLines == ["GET /gists/\(gistID)", "PATCH /gists/\(gistID)", "GET /gists/\(gistID)"])
        #expect(await sleeps.values == [.seconds(1)])
    }

    @Test func takeoverOverwrittenDuringTheSettleTimeIsAConflict() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        // cleopatra's PATCH lands while napoleon waits to read back.
        let clock = ManualClock { _ in await fake.setFile(lockFile, content(lease("cleopatra", transitions: 2))) }
        try await withFakeGitHub(fake) { url in
            let error = try #require(
                await lockError {
                    try await makeLock(url, clock: clock).update(
                        lease("napoleon", transitions: 2), expecting: lease("stalin").jsonBytes())
                })
            #expect(error.code == .conflict)
            #expect(error.message.contains("another candidate took the lease"))
        }
        #expect(await fake.requestLines == ["GET /gists/\(gistID)", "PATCH /gists/\(gistID)", "GET /gists/\(gistID)"])
    }

    @Test func takeoverWithZeroSettleTimeStillReadsBack() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        await fake.onPatch { fake in await fake.setFile(lockFile, content(lease("cleopatra", transitions: 2))) }
        try await withFakeGitHub(fake) { url in
            let lock = GistLock(
                client: makeClient(url), gistID: gistID, identity: "napoleon", settleTime: .zero,
                clock: ManualClock { _ in Issue.record("a zero settle time must not sleep") },
                logger: Logger(label: "gist-lock-test") { _ in SwiftLogNoOpLogHandler() })
            let error = try #require(
                await lockError {
                    try await lock.update(lease("napoleon", transitions: 2), expecting: lease("stalin").jsonBytes())
                })
            #expect(error.code == .conflict)
        }
        #expect(await fake.requestLines == ["GET /gists/\(gistID)", "PATCH /gists/\(gistID)", "GET /gists/\(gistID)"])
    }

    @Test func takeoverOfAnInvalidFileReadsBack() async throws {
        let fake = FakeGitHub(files: [lockFile: "garbage"])
        let sleeps = Recorder<Duration>()
        let clock = ManualClock { await sleeps.append($0) }
        try await withFakeGitHub(fake) { url in
            let lock = makeLock(url, clock: clock)
            let invalid = try #require(await lockError { _ = try await lock.get() })
            try await lock.update(lease("napoleon"), expecting: invalid.raw)
        }
        #expect(await fake.files == [lockFile: content(lease("napoleon"))])
        #expect(await sleeps.values == [.seconds(1)])
    }

    @Test func releaseSkipsTheReadBack() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("napoleon"))])
        let released = LeaderElectionRecord(
            holderIdentity: "", leaseDurationSeconds: 1, acquireTime: nil, renewTime: nil, leaderTransitions: 1)
        try await withFakeGitHub(fake) { url in
            let clock = ManualClock { _ in Issue.record("a release must not wait to read back") }
            try await makeLock(url, clock: clock).update(released, expecting: lease("napoleon").jsonBytes())
        }
        #expect(await fake.requestLines == ["GET /gists/\(gistID)", "PATCH /gists/\(gistID)"])
        #expect(await fake.files == [lockFile: content(released)])
    }

    @Test func createGistMakesASecretGistWithAFreeLease() async throws {
        let fake = FakeGitHub()
        try await withFakeGitHub(fake) { url in
            let gist = try await GistLock.createGist(client: makeClient(url), description: "leader election")
            #expect(gist.id == gistID)
            let lock = makeLock(url)
            let observed = try #require(try await lock.get())
            #expect(observed.record.holderIdentity == "")
        }
        #expect(await fake.requestLines == ["POST /gists", "GET /gists/\(gistID)"])
    }
}
