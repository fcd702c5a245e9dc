import Foundation
import GistLock
@testable import GitSmartHTTP
import Testing

let testToken = "ghp_TESTtoken0123456789abcdefSECRET"
let gistID = "aa5a315d61ae9438b18d"

func makeClient(
    _ url: URL, wall: WallTime = WallTime(Date(timeIntervalSince1970: 1_763_719_200)),
    timeout: Duration = .seconds(10),
    onResponse: (@Sendable (String, Int?) -> Void)? = nil
) -> GistClient {
    GistClient(
        apiURL: url, token: testToken, userAgent: "leader-election-tests/1.0", timeout: timeout,
        now: { wall.now }, onResponse: onResponse)
}

/// The `GitHubError` that `call` throws, failing the test when it throws none or another error.
func gitHubError(
    sourceLocation: SourceLocation = #_sourceLocation, _ call: () async throws -> Void
) async -> GitHubError? {
    await #expect(throws: GitHubError.self, sourceLocation: sourceLocation) { try await call() }
}

@Suite struct GistClientTests {
    @Test func everyRequestCarriesAuthAcceptVersionAndUserAgent() async throws {
        let fake = FakeGitHub(files: ["a.lock": "x"])
        let (seen, observed) = AsyncStream<String>.makeStream()
        try await withFakeGitHub(fake) { url in
            let client = makeClient(url) { method, status in observed.yield("\(method) \(status ?? 0)") }
            _ = try await client.getGist(gistID)
            try await client.updateFiles(inGist: gistID, ["a.lock": "y"])
            _ = try await client.createGist(description: "d", files: ["b.lock": "z"])
        }
        let requests = await fake.requests
        #expect(requests.map { "\($0.method) \($0.path)" } == ["GET /gists/\(gistID)", "PATCH /gists/\(gistID)", "POST /gists"])
        for request in requests {
            #expect(request.headers["authorization"] == "Bearer \(testToken)")
            #expect(request.headers["accept"] == "application/vnd.github+json")
            #expect(request.headers["x-github-api-version"] == GistClient.defaultAPIVersion)
            #expect(request.headers["user-agent"] == "leader-election-tests/1.0")
        }
        #expect(requests[1].headers["content-type"] == "application/json")
        observed.finish()
        #expect(await seen.collected() == ["GET 200", "PATCH 200", "POST 201"])
    }

    @Test func readsAreNeverServedFromACache() async throws {
        let fake = FakeGitHub(files: ["a.lock": "first"])
        try await withFakeGitHub(fake) { url in
            let client = makeClient(url)
            guard case .modified(let first, let etag) = try await client.getGist(gistID) else {
                Issue.record("first read was not a 200")
                return
            }
            #expect(first.files["a.lock"]?.content == "first")
            #expect(etag == #"W/"rev-1""#)
            await fake.setFile("a.lock", "second")
            guard case .modified(let second, _) = try await client.getGist(gistID) else {
                Issue.record("second read was not a 200")
                return
            }
            #expect(second.files["a.lock"]?.content == "second")
        }
        let requests = await fake.requests
        #expect(requests.count == 2)
        for request in requests {
            #expect(request.headers["if-none-match"] == nil)
            #expect(request.headers["if-modified-since"] == nil)
        }
    }

    @Test func conditionalReadAnswers304AsNotModified() async throws {
        let fake = FakeGitHub(files: ["a.lock": "x"])
        try await withFakeGitHub(fake) { url in
            let client = makeClient(url)
            guard case .modified(_, let etag?) = try await client.getGist(gistID) else {
                Issue.record("no ETag on the first read")
                return
            }
            #expect(try await client.getGist(gistID, ifNoneMatch: etag) == .notModified)
            #expect(
                await client.rateLimit
                    == RateLimitStatus(
                        limit: 5000, remaining: 4990, used: 10, reset: Date(timeIntervalSince1970: 1_763_719_200),
                        resource: "core"))
        }
        #expect(await fake.requests.last?.headers["if-none-match"] == #"W/"rev-1""#)
    }

    @Test func decodesTheGistShape() async throws {
        let fake = FakeGitHub(files: ["a.lock": "{\"x\":1}\n", "README.md": "hello"])
        try await withFakeGitHub(fake) { url in
            guard case .modified(let gist, _) = try await makeClient(url).getGist(gistID) else {
                Issue.record("not a 200")
                return
            }
            #expect(gist.id == gistID)
            #expect(gist.version == "v1")
            #expect(gist.isPublic == false)
            let file = try #require(gist.files["a.lock"])
            #expect(
                file
                    == GistFile(
                        filename: "a.lock", content: "{\"x\":1}\n", truncated: false,
                        rawURL: "https://gist.githubusercontent.com/monalisa/\(gistID)/raw/1/a.lock", size: 8, encoding: "utf-8"))
            #expect(file.contentBytes == Array("{\"x\":1}\n".utf8))
        }
    }

    @Test func patchNamesOnlyTheGivenFiles() async throws {
        let fake = FakeGitHub(files: ["a.lock": "old", "README.md": "keep me"])
        try await withFakeGitHub(fake) { url in
            let gist = try await makeClient(url).updateFiles(inGist: gistID, ["a.lock": "new"])
            #expect(gist.files["a.lock"]?.content == "new")
        }
        let patch = try #require(await fake.requests.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(patch.body)) as? [String: Any])
        #expect(Set(object.keys) == ["files"])
        #expect(Set(patch.files.keys) == ["a.lock"])
        #expect((patch.files["a.lock"] as? [String: String]) == ["content": "new"])
        #expect(await fake.files == ["a.lock": "new", "README.md": "keep me"])
    }

    @Test func createMakesASecretGist() async throws {
        let fake = FakeGitHub()
        try await withFakeGitHub(fake) { url in
            let gist = try await makeClient(url).createGist(description: "leader election", files: ["e.lock": "{}"])
            #expect(gist.id == gistID)
        }
        let post = try #require(await fake.requests.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(post.body)) as? [String: Any])
        #expect(object["public"] as? Bool == false)
        #expect(object["description"] as? String == "leader election")
        #expect((post.files["e.lock"] as? [String: String]) == ["content": "{}"])
    }

    @Test func createWithoutTheGistScopeIsForbidden() async throws {
        let fake = FakeGitHub()
        await fake.script(.error(404, "Not Found"))
        try await withFakeGitHub(fake) { url in
            let error = await gitHubError { _ = try await makeClient(url).createGist(description: "d", files: ["e.lock": "{}"]) }
            #expect(error?.code == .forbidden)
            #expect(error?.isPermanent == true)
            #expect(error?.description.contains("give the token the gist scope") == true)
        }
    }
}
