import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import GistLock
@testable import GitSmartHTTP

/// Answers that echo the credentials, and push URLs that would collect them (issue 15, items 6-8).
@Suite struct CredentialLeakTests {
    static let token = "ghp_echoedSecret0123456789"
    static var forms: [String] {
        let basic = "x-access-token:\(token)"
        return [token, basic, Data(basic.utf8).base64EncodedString(), Data(token.utf8).base64EncodedString()]
    }

    /// Serves every request with `status` and a body that quotes the request's Authorization header,
    /// the token, the Basic credentials and their base64, as a careless proxy or server might.
    func withEchoingServer<T: Sendable>(status: Int, _ body: @Sendable (URL) async throws -> T) async throws -> T {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let echoed = "auth=\(request.headers[.authorization] ?? "") " + Self.forms.joined(separator: " ")
            return Response(
                status: HTTPResponse.Status(code: status), headers: [.contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: echoed)))
        }
        var logger = Logger(label: "echo")
        logger.logLevel = .critical
        let app = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        return try await app.test(.live) { client in try await body(URL(string: "http://127.0.0.1:\(client.port!)")!) }
    }

    @Test(arguments: [401, 403, 500])
    func gitAnswersEchoingTheCredentialsAreRedacted(status: Int) async throws {
        let error = try await withEchoingServer(status: status) { url in
            let transport = try URLSessionGitTransport.gist(repository: url.appendingPathComponent("gist.git"), token: Self.token)
            let writer = GitGistWriter(transport: transport, wallClock: { Date(timeIntervalSince1970: 0) })
            return await #expect(throws: GitProtocolError.self) { try await writer.checkPushAccess() }
        }
        let text = try #require(error).description
        for form in Self.forms { #expect(!text.contains(form), "\(text)") }
        // Redacted before the quote is cut: not even the start of an encoded form is left.
        for form in Self.forms.suffix(2) { #expect(!text.contains(String(form.prefix(6))), "\(text)") }
        #expect(text.contains("<redacted>"), "\(text)")
    }

    @Test func theRedactionRemovesEveryForm() {
        let redacted = RedactedToken(value: Self.token)
        let text = Self.forms.joined(separator: "|") + "|Basic " + Data("x-access-token:\(Self.token)".utf8).base64EncodedString()
        #expect(redacted.scrub(text) == Array(repeating: "<redacted>", count: 4).joined(separator: "|") + "|Basic <redacted>")
        #expect(redacted.scrub("nothing secret") == "nothing secret")
    }

    @Test func restAnswersEchoingTheCredentialsAreRedacted() async throws {
        let fake = FakeGitHub()
        await fake.script(.error(500, Self.forms.joined(separator: " ")))
        try await withFakeGitHub(fake) { url in
            let client = GistClient(apiURL: url, token: Self.token, userAgent: "t")
            let error = await gitHubError { _ = try await client.getGist(gistID) }
            let text = try #require(error).description
            for form in Self.forms { #expect(!text.contains(form), "\(text)") }
        }
    }

    @Test func aRefusedTokenNamesWhereItCameFrom() async throws {
        let fake = FakeGitHub()
        await fake.script(.error(401, "Bad credentials"))
        try await withFakeGitHub(fake) { url in
            let client = GistClient(
                apiURL: url, token: Self.token, userAgent: "t", tokenOrigin: "the token file /run/token (--token-file)")
            let error = await gitHubError { _ = try await client.getGist(gistID) }
            #expect(
                error?.message == "the token was rejected (401 Bad credentials): check the token file /run/token (--token-file)")
        }
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080/abc.git", "http://127.0.0.1:8080"),
        ("https://gist.github.com/abc.git", "https://api.github.com"),
        ("https://ghe.example.com/gist/abc.git", "https://ghe.example.com/api/v3"),
        ("https://GHE.example.com:443/abc.git", "https://ghe.example.com"),
    ])
    func pushURLsOnTheAPIsHostAreAccepted(push: String, api: String) throws {
        try GitPushURLPolicy.check(URL(string: push)!, apiURL: URL(string: api)!)
    }

    @Test(arguments: [
        ("http://127.0.0.1:9999/abc.git", "http://127.0.0.1:8080"),
        ("https://evil.example/abc.git", "https://api.github.com"),
        ("http://gist.github.com/abc.git", "https://api.github.com"),
        ("https://gist.github.com/abc.git", "https://ghe.example.com/api/v3"),
        ("https://user:pw@evil.example/abc.git?t=1", "https://ghe.example.com"),
    ])
    func anyOtherPushURLIsRefusedNamingIt(push: String, api: String) throws {
        let url = URL(string: push)!
        let error = #expect(throws: GitProtocolError.self) { try GitPushURLPolicy.check(url, apiURL: URL(string: api)!) }
        let text = try #require(error).description
        #expect(text.contains("git_push_url \(url.scheme!)://\(url.host!)"), "\(text)")
        #expect(!text.contains("pw@") && !text.contains("t=1"), "\(text)")
    }
}
