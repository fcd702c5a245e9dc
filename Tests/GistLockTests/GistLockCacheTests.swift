import Foundation
import GistLock
@testable import GitSmartHTTP
import LeaderElectionTestKit
import LeaderElection
import Logging
import Testing

/// Every answer a lock's client got, as "GET 304" or "PATCH 200", in order.
struct AnswerLog {
    let stream: AsyncStream<String>
    let continuation: AsyncStream<String>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream() }

    func lock(_ url: URL, identity: String = "napoleon") -> GistLock {
        let client = makeClient(url) { [continuation] method, status in
            continuation.yield("\(method) \(status.map(String.init) ?? "none")")
        }
        return GistLock(
            client: client, gistID: gistID, identity: identity, clock: ManualClock(onSleep: { _ in }),
            logger: Logger(label: "gist-lock-test") { _ in SwiftLogNoOpLogHandler() })
    }

    /// The answers so far; call once, after the last request.
    func answers() async -> [String] {
        continuation.finish()
        return await stream.collected()
    }
}

/// What the lock costs against GitHub's limits: reads are conditional on the last answer kept, the
/// answer to our own PATCH included, and nothing kept is trusted after an error or a conflict.
@Suite struct GistLockCacheTests {
    let log = AnswerLog()

    /// The elector's renewal is `get` then `update`: with our own PATCH's ETag kept, both reads are 304s.
    @Test func aSteadyRenewalCostsOnePatchAndOnly304s() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("napoleon"))])
        try await withFakeGitHub(fake) { [log] url in
            let lock = log.lock(url)
            for second in [20.0, 30, 40] {
                let observed = try #require(try await lock.get())
                try await lock.update(lease("napoleon", renewedAt: second), expecting: observed.raw)
            }
            #expect(try await lock.get()?.record.renewTime == lease("napoleon", renewedAt: 40).renewTime)
        }
        // The first read of all is a full one; every renewal after it is two 304s and a PATCH.
        let renewal = ["GET 304", "GET 304", "PATCH 200"]
        #expect(await log.answers() == ["GET 200", "GET 304", "PATCH 200"] + renewal + renewal + ["GET 304"])
        let conditions = await fake.requests.map { $0.headers["if-none-match"] }
        #expect(
            conditions == [
                nil, #"W/"rev-1""#, nil, #"W/"rev-2""#, #"W/"rev-2""#, nil,
                #"W/"rev-3""#, #"W/"rev-3""#, nil, #"W/"rev-4""#,
            ])
    }

    /// A follower pays one counted read per change of the content, and 304s otherwise.
    @Test func aFollowerPaysOneCountedReadPerChange() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        try await withFakeGitHub(fake) { [log] url in
            let lock = log.lock(url)
            _ = try await lock.get()
            _ = try await lock.get()
            await fake.setFile(lockFile, content(lease("stalin", renewedAt: 20)))
            #expect(try await lock.get()?.record == lease("stalin", renewedAt: 20))
            _ = try await lock.get()
            _ = try await lock.get()
        }
        #expect(await log.answers() == ["GET 200", "GET 304", "GET 200", "GET 304", "GET 304"])
    }

    /// A takeover's read-back is free too while nobody else wrote.
    @Test func aTakeoverReadBackIsA304() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        try await withFakeGitHub(fake) { [log] url in
            let lock = log.lock(url)
            let observed = try #require(try await lock.get())
            try await lock.update(lease("napoleon", transitions: 2), expecting: observed.raw)
        }
        #expect(await log.answers() == ["GET 200", "GET 304", "PATCH 200", "GET 304"])
    }

    /// A PATCH that landed but answered 500: nothing kept is trusted, so the next read is a full one
    /// and shows what landed.
    @Test func aFailedWriteDropsWhatWasKept() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("napoleon"))])
        await fake.answerNextPatch(with: .error(500, "Server Error"))
        try await withFakeGitHub(fake) { [log] url in
            let lock = log.lock(url)
            let observed = try #require(try await lock.get())
            let error = await gitHubError {
                try await lock.update(lease("napoleon", renewedAt: 20), expecting: observed.raw)
            }
            #expect(error?.code == .serverError)
            #expect(try await lock.get()?.record == lease("napoleon", renewedAt: 20))
        }
        #expect(await log.answers() == ["GET 200", "GET 304", "PATCH 500", "GET 200"])
        #expect(await fake.requests.last?.headers["if-none-match"] == nil)
    }

    @Test func aConflictDropsWhatWasKept() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("stalin"))])
        try await withFakeGitHub(fake) { [log] url in
            let lock = log.lock(url)
            let observed = try #require(try await lock.get())
            await fake.setFile(lockFile, content(lease("stalin", renewedAt: 20)))
            let error = await lockError { try await lock.update(lease("napoleon", transitions: 2), expecting: observed.raw) }
            #expect(error?.code == .conflict)
            _ = try await lock.get()
        }
        #expect(await log.answers() == ["GET 200", "GET 200", "GET 200"])
        #expect(await fake.requests.last?.headers["if-none-match"] == nil)
    }

    /// An answer to our PATCH that does not show our bytes (or carries no ETag) is not kept.
    @Test func aPatchAnswerWithoutOurBytesIsNotKept() async throws {
        let fake = FakeGitHub(files: [lockFile: content(lease("napoleon"))])
        await fake.answerNextPatch(
            with: Reply(
                status: 200, headers: ["content-type": "application/json; charset=utf-8"],
                body: #"{"id":"\#(gistID)","files":{}}"#))
        try await withFakeGitHub(fake) { [log] url in
            let lock = log.lock(url)
            let observed = try #require(try await lock.get())
            try await lock.update(lease("napoleon", renewedAt: 20), expecting: observed.raw)
            #expect(try await lock.get()?.record == lease("napoleon", renewedAt: 20))
        }
        #expect(await log.answers() == ["GET 200", "GET 304", "PATCH 200", "GET 200"])
        #expect(await fake.requests.last?.headers["if-none-match"] == nil)
    }
}
