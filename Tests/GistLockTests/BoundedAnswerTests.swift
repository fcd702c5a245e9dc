import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Testing
@testable import GistLock
@testable import GitSmartHTTP

/// Answers beyond the bound are refused while they arrive, with an error that names the bound and the
/// fix, and the reading stops near the bound. The app's peak memory against huge answers is measured
/// on the built binary by `make bench` (Tests/bench/huge_answers.py).
@Suite(.timeLimit(.minutes(2))) struct BoundedAnswerTests {
    static let token = "ghp_boundedAnswerSecret"
    /// Far beyond every bound.
    static let huge = 100 << 20

    func session() -> URLSession {
        URLSession.bounded(configuration: .ephemeral, cancelsAuthChallenges: false)
    }

    @Test(arguments: [true, false])
    func answerPastTheBoundIsCutOff(announced: Bool) async throws {
        let limit = 1 << 20
        let error = try await withStreamingServer(total: Self.huge, announce: announced) { url, _ in
            let error = await #expect(throws: AnswerTooLarge.self) {
                _ = try await session().exchange(URLRequest(url: url), timeout: .seconds(30), limit: limit)
            }
            return error
        }
        #expect(error == AnswerTooLarge(limit: limit, announced: announced ? Int64(Self.huge) : nil, status: 200))
    }

    /// FoundationNetworking hands each piece of a body to the session's delegate queue and reads on; a
    /// queue that runs it later lets pieces pile up in memory past the bound (a chunked 200 MB answer
    /// took the app to 263 MB). A bounded session's queue runs each piece before it returns, so libcurl
    /// reads the next piece only once the delegate has kept or dropped this one.
    @Test func aBoundedSessionTakesEachPieceBeforeReadingOn() {
        let queue = URLSession.bounded(configuration: .ephemeral, cancelsAuthChallenges: false).delegateQueue
        let ran = Atomic(0)
        for _ in 0..<3 {
            queue.addOperation { ran.add(1, ordering: .relaxed) }
        }
        queue.addOperation(BlockOperation { ran.add(1, ordering: .relaxed) })
        #expect(ran.load(ordering: .relaxed) == 4)
        #expect(queue.operationCount == 0)
    }

    @Test(arguments: [true, false])
    func answerAtTheBoundArrivesWhole(announced: Bool) async throws {
        let limit = 1 << 20
        let (data, streamed) = try await withStreamingServer(total: limit, announce: announced) { url, answers in
            let (data, _) = try await session().exchange(URLRequest(url: url), timeout: .seconds(30), limit: limit)
            return (data, await answers.nextElement())
        }
        #expect(data == Data(repeating: UInt8(ascii: "x"), count: limit))
        #expect(streamed?.sent == limit)
    }

    @Test func restAnswerPastTenMegabytesIsRefusedWithItsFix() async throws {
        let error = try await withStreamingServer(total: Self.huge, announce: false) { url, _ in
            let client = GistClient(apiURL: url, token: Self.token, userAgent: "bounded-answer-test", timeout: .seconds(30))
            let error = await #expect(throws: GitHubError.self) { _ = try await client.getGist("aa5a315d61ae9438b18d") }
            return error
        }
        let message = try #require(error).message
        #expect(message.contains("sent more than 10485760 bytes, over the 10 MB a gist answer may take"), "\(message)")
        #expect(message.contains("check --github-api-url"), "\(message)")
        #expect(message.contains("GET http://127.0.0.1:"), "\(message)")
        #expect(!message.contains(Self.token))
        #expect(error?.isTransient == true)
    }

    @Test func gitAnswerPastTwentyMegabytesIsRefusedWithItsFix() async throws {
        let error = try await withStreamingServer(
            total: Self.huge, announce: true, contentType: "application/x-git-receive-pack-advertisement"
        ) { url, _ in
            let transport = try URLSessionGitTransport.gist(
                repository: url.appendingPathComponent("gist.git"), token: Self.token, timeout: .seconds(30))
            let error = await #expect(throws: GitProtocolError.self) {
                _ = try await transport.exchange(.advertisement("git-receive-pack"), advice: .gist)
            }
            return error
        }
        let message = try #require(error).description
        #expect(
            message.contains("announces \(Self.huge) bytes in Content-Length, over the 20 MB a git answer to the lock may take"),
            "\(message)")
        #expect(message.contains("check --github-api-url"), "\(message)")
        #expect(message.contains("/gist.git/info/refs"), "\(message)")
        #expect(!message.contains(Self.token))
    }
}
