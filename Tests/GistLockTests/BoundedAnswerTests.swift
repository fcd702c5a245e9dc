import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import GistLock

/// Answers beyond the bound are refused while they arrive, with an error that names the bound and the
/// fix. That the app's memory stays bounded is measured on the built binary, from /proc, by
/// `Tests/system/test_bounded_answers.py`: in this process, libcurl goes on reading for a while after
/// the cancel, so what the server could write says little.
@Suite(.timeLimit(.minutes(2))) struct BoundedAnswerTests {
    static let token = "ghp_boundedAnswerSecret"
    /// Far beyond every bound.
    static let huge = 100 << 20

    func session() -> URLSession {
        URLSession(configuration: .ephemeral, delegate: ExchangeDelegate(cancelsAuthChallenges: false), delegateQueue: nil)
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
            let transport = try URLSessionGitTransport(repository: url.appendingPathComponent("gist.git"), token: Self.token, timeout: .seconds(30))
            let error = await #expect(throws: GitProtocolError.self) { _ = try await transport.exchange(.advertisement("git-receive-pack")) }
            return error
        }
        let message = try #require(error).description
        #expect(message.contains("announces \(Self.huge) bytes in Content-Length, over the 20 MB a git answer to the lock may take"), "\(message)")
        #expect(message.contains("check --github-api-url"), "\(message)")
        #expect(message.contains("/gist.git/info/refs"), "\(message)")
        #expect(!message.contains(Self.token))
    }
}
