import Foundation
import GistLock
@testable import GitSmartHTTP
import LeaderElection
import Testing

/// One way GitHub (or something pretending to be it) can answer a read, and how the client must classify it.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var reply: Reply
    var code: GitHubError.Code
    var permanent: Bool
    /// Text the description must contain.
    var fragments: [String]
    var testDescription: String { name }
}

private let html = ["content-type": "text/html; charset=utf-8"]
private let json = ["content-type": "application/json; charset=utf-8"]

let errorCases: [ErrorCase] = [
    ErrorCase(
        name: "401 bad credentials", reply: .error(401, "Bad credentials"), code: .unauthorized, permanent: true,
        fragments: ["the token was rejected (401 Bad credentials): check LEADER_ELECTION_GITHUB_API_TOKEN"]),
    ErrorCase(
        name: "404 gist", reply: .error(404, "Not Found"), code: .gistNotFound, permanent: true,
        fragments: ["gist \(gistID) not found at http://127.0.0.1:", ": check --gist, and that the token has the gist scope"]),
    ErrorCase(
        name: "403 without rate-limit signs",
        reply: .error(403, "Resource not accessible by personal access token", headers: ["x-ratelimit-remaining": "4000"]),
        code: .forbidden, permanent: true,
        fragments: ["refused access to gist \(gistID) (403 \"Resource not accessible", "the gist scope"]),
    ErrorCase(
        name: "403 secondary limit without headers",
        reply: .error(403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."),
        code: .rateLimited, permanent: false, fragments: ["rate limit", "until 2025-11-21T10:01:00Z (UTC)"]),
    ErrorCase(
        name: "500", reply: .error(500, "Server Error"), code: .serverError, permanent: false,
        fragments: ["GitHub failed with 500", "GET http://127.0.0.1:"]),
    ErrorCase(
        name: "502 HTML", reply: Reply(status: 502, headers: html, body: "<html>Bad gateway</html>"),
        code: .serverError, permanent: false, fragments: ["502"]),
    ErrorCase(
        name: "422", reply: .error(422, "Validation Failed"), code: .requestRejected, permanent: false,
        fragments: ["422 \"Validation Failed\""]),
    ErrorCase(
        name: "200 HTML page",
        reply: Reply(
            status: 200, headers: html,
            body: "<!DOCTYPE html>\n<html><head><title>Sign in to GitHub</title>"
                + String(repeating: " ", count: 200) + "</head></html>"),
        code: .unexpectedResponse, permanent: false,
        fragments: [
            "status 200, content-type text/html; charset=utf-8",
            #"body starts "<!DOCTYPE html>\n<html><head><title>Sign in to GitHub</title>"#, #"  ...""#,
        ]),
    ErrorCase(
        name: "200 JSON of the wrong shape", reply: Reply(status: 200, headers: json, body: #"{"message":"hello"}"#),
        code: .unexpectedResponse, permanent: false, fragments: [#"not a gist: no "id" field"#]),
    ErrorCase(
        name: "200 not JSON", reply: Reply(status: 200, headers: json, body: "ok"),
        code: .unexpectedResponse, permanent: false, fragments: ["not a gist: not valid JSON", #"body starts "ok""#]),
    ErrorCase(
        name: "301 redirect elsewhere", reply: Reply(status: 301, headers: ["location": "https://github.com/login"]),
        code: .unexpectedResponse, permanent: false, fragments: ["redirect (301 to https://github.com/login)"]),
    ErrorCase(
        name: "302 redirect to the same gist", reply: Reply(status: 302, headers: ["location": "/gists/\(gistID)"]),
        code: .unexpectedResponse, permanent: false, fragments: ["redirect (302"]),
    ErrorCase(
        name: "304 to an unconditional read", reply: Reply(status: 304),
        code: .unexpectedResponse, permanent: false, fragments: ["status 304"]),
]

@Suite struct GitHubErrorTests {
    @Test(arguments: errorCases)
    func answersAreClassified(_ errorCase: ErrorCase) async throws {
        let fake = FakeGitHub(files: ["a.lock": "x"])
        await fake.script(errorCase.reply)
        try await withFakeGitHub(fake) { url in
            let error = try #require(await gitHubError { _ = try await makeClient(url).getGist(gistID) })
            #expect(error.code == errorCase.code)
            #expect(error.isPermanent == errorCase.permanent)
            #expect(error.isTransient == !errorCase.permanent)
            #expect(error.status == errorCase.reply.status)
            // Lost, or cut off: a rate limit is throttled, no usable answer unreachable, a refusal rejected.
            let kind: LockErrorKind =
                switch errorCase.code {
                case .rateLimited: .throttled
                case .serverError, .unexpectedResponse, .transport: .unreachable
                default: .rejected
                }
            #expect(LockErrorKind(error) == kind)
            for fragment in errorCase.fragments {
                #expect(error.description.contains(fragment), "\(error.description)")
            }
            #expect(!error.description.contains(testToken))
        }
        #expect(await fake.requests.count == 1)
    }

    @Test func primaryLimitHoldsEveryRequestUntilTheReset() async throws {
        let start = Date(timeIntervalSince1970: 1_763_719_200)
        let wall = WallTime(start)
        let fake = FakeGitHub(files: ["a.lock": "x"])
        await fake.script(
            .error(
                403, "API rate limit exceeded for user ID 1.",
                headers: ["x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1763719320"]))
        try await withFakeGitHub(fake) { url in
            let client = makeClient(url, wall: wall)
            let first = try #require(await gitHubError { _ = try await client.getGist(gistID) })
            #expect(first.code == .rateLimited)
            #expect(first.isTransient)
            #expect(first.retryAt == start.addingTimeInterval(120))
            #expect(first.description.contains("until 2025-11-21T10:02:00Z (UTC)"))
            #expect(await client.rateLimit?.remaining == 0)
            #expect(await client.retryAt == start.addingTimeInterval(120))

            #expect(await gitHubError { _ = try await client.getGist(gistID) } == first)
            #expect(await gitHubError { try await client.updateFiles(inGist: gistID, ["a.lock": "y"]) } == first)
            wall.advance(by: 119)
            #expect(await gitHubError { _ = try await client.getGist(gistID) } == first)
            #expect(await fake.requests.count == 1)

            wall.advance(by: 1)
            _ = try await client.getGist(gistID)
            #expect(await client.retryAt == nil)
        }
        #expect(await fake.requests.count == 2)
    }

    @Test func retryAfterIsHonouredExactly() async throws {
        let start = Date(timeIntervalSince1970: 1_763_719_200)
        let wall = WallTime(start)
        let fake = FakeGitHub(files: ["a.lock": "x"])
        await fake.script(.error(429, "You have exceeded a secondary rate limit.", headers: ["retry-after": "30"]))
        try await withFakeGitHub(fake) { url in
            let client = makeClient(url, wall: wall)
            let first = try #require(await gitHubError { _ = try await client.getGist(gistID) })
            #expect(first.code == .rateLimited)
            #expect(first.retryAt == start.addingTimeInterval(30))
            wall.advance(by: 29)
            #expect(await gitHubError { _ = try await client.getGist(gistID) } == first)
            #expect(await fake.requests.count == 1)
            wall.advance(by: 1)
            _ = try await client.getGist(gistID)
        }
        #expect(await fake.requests.count == 2)
    }

    @Test func limitsWithoutADeadlineBackOffExponentially() async throws {
        let start = Date(timeIntervalSince1970: 1_763_719_200)
        let wall = WallTime(start)
        let fake = FakeGitHub(files: ["a.lock": "x"])
        let limited = Reply.error(429, "You have exceeded a secondary rate limit.")
        await fake.script(limited, limited, Reply(status: 200, headers: json, body: #"{"id":"x","files":{}}"#), limited)
        try await withFakeGitHub(fake) { url in
            let client = makeClient(url, wall: wall)
            #expect(await gitHubError { _ = try await client.getGist(gistID) }?.retryAt == start.addingTimeInterval(60))
            wall.advance(by: 60)
            #expect(await gitHubError { _ = try await client.getGist(gistID) }?.retryAt == start.addingTimeInterval(180))
            wall.advance(by: 120)
            _ = try await client.getGist(gistID)
            #expect(await gitHubError { _ = try await client.getGist(gistID) }?.retryAt == start.addingTimeInterval(240))
        }
        #expect(await fake.requests.count == 4)
    }

    @Test func aResetInThePastStillPausesBriefly() async throws {
        let start = Date(timeIntervalSince1970: 1_763_719_200)
        let fake = FakeGitHub(files: ["a.lock": "x"])
        await fake.script(
            .error(403, "API rate limit exceeded", headers: ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "1763719000"]))
        try await withFakeGitHub(fake) { url in
            let error = await gitHubError { _ = try await makeClient(url, wall: WallTime(start)).getGist(gistID) }
            #expect(error?.retryAt == start.addingTimeInterval(1))
        }
    }

    @Test func refusedConnectionIsATransportError() async throws {
        let client = makeClient(URL(string: "http://127.0.0.1:1")!)
        let error = try #require(await gitHubError { _ = try await client.getGist(gistID) })
        #expect(error.code == .transport)
        #expect(error.isTransient)
        #expect(error.status == nil)
        #expect(error.description.contains("cannot reach GET http://127.0.0.1:1/gists/\(gistID)"), "\(error)")
        #expect(!error.description.contains(testToken))
    }

    @Test func theTokenNeverAppearsInDescriptions() async throws {
        let fake = FakeGitHub(files: ["a.lock": "x"])
        await fake.script(
            Reply(status: 200, headers: html, body: "Authorization: Bearer \(testToken)"),
            .error(500, "token \(testToken) is broken"),
            Reply(status: 301, headers: ["location": "https://example.com/?token=\(testToken)"]))
        try await withFakeGitHub(fake) { url in
            let client = makeClient(url)
            for _ in 0..<3 {
                let error = try #require(await gitHubError { _ = try await client.getGist(gistID) })
                #expect(!error.description.contains(testToken))
                #expect(!String(reflecting: error).contains(testToken))
                #expect(error.description.contains("<redacted>"))
            }
            var dumped = ""
            dump(client, to: &dumped)
            for text in ["\(client)", String(reflecting: client), dumped] {
                #expect(!text.contains(testToken), "\(text)")
            }
        }
    }
}
