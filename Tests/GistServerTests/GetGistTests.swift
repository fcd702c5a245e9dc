import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("GET /gists/{id}")
struct GetGistTests {
    @Test("answers the gist as created, with GitHub's headers")
    func getsGist() async throws {
        try await GistServerFixture().test { client in
            let created = try await client.createGist(["a.lock": "{}"], description: "d")
            let id = try #require(created["id"] as? String)
            let response = try await client.send(.get, "/gists/\(id)")
            #expect(response.status == .ok)
            let gist = try response.jsonObject()
            #expect(fileContents(gist) == ["a.lock": "{}"])
            #expect(versions(gist) == versions(created))
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
            #expect(response.header("Cache-Control") == "private, max-age=60, s-maxage=60")
            #expect(response.header("X-GitHub-Api-Version-Selected") == "2022-11-28")
            #expect(response.header("X-GitHub-Media-Type") == "github.v3; format=json")
            #expect(response.header("X-OAuth-Scopes") == "gist")
            let file = try #require((gist["files"] as? [String: [String: Any]])?["a.lock"])
            #expect(file["type"] as? String == "text/plain")
            #expect(file["language"] == nil)
        }
    }

    @Test("a secret gist can be read without a token, with public caching")
    func secretReadableAnonymously() async throws {
        try await GistServerFixture().test { client in
            let id = try await client.createGistID()
            let response = try await client.send(.get, "/gists/\(id)", headers: GistServerFixture.headers(token: nil))
            #expect(response.status == .ok)
            #expect(response.header("Cache-Control") == "public, max-age=60, s-maxage=60")
            #expect(response.header("X-OAuth-Scopes") == nil)
            let unscoped = try await client.send(
                .get, "/gists/\(id)", headers: GistServerFixture.headers(token: GistServerFixture.unscopedToken))
            #expect(unscoped.status == .ok)
            #expect(unscoped.header("X-OAuth-Scopes") == "")
        }
    }

    @Test("an unknown gist is 404 in GitHub's shape")
    func unknownGist() async throws {
        try await GistServerFixture().test { client in
            let response = try await client.send(.get, "/gists/0123456789abcdef0123456789abcdef")
            #expect(response.status == .notFound)
            let body = try response.jsonObject()
            #expect(body["message"] as? String == "Not Found")
            #expect(body["documentation_url"] as? String == "https://docs.github.com/rest/gists/gists#get-a-gist")
            #expect(body["status"] as? String == "404")
            let route = try await client.send(.get, "/no/such/route")
            #expect(route.status == .notFound)
            #expect(try route.jsonObject()["message"] as? String == "Not Found")
        }
    }

    @Test("If-None-Match with the current ETag answers 304 without charging the rate limit; a change gives a new ETag")
    func conditionalGet() async throws {
        try await GistServerFixture().test { client in
            let id = try await client.createGistID()
            let first = try await client.send(.get, "/gists/\(id)")
            let etag = try #require(first.header("ETag"))
            let used = try #require(first.header("X-RateLimit-Used"))

            let notModified = try await client.send(
                .get, "/gists/\(id)", headers: GistServerFixture.headers(extra: [.ifNoneMatch: etag]))
            #expect(notModified.status == .notModified)
            #expect(notModified.body.readableBytes == 0)
            #expect(notModified.header("ETag") == etag)
            #expect(notModified.header("X-RateLimit-Used") == used)
            #expect(notModified.header("Cache-Control") == "private, max-age=60, s-maxage=60")

            let strongForm = etag.replacingOccurrences(of: "W/", with: "")
            let alsoNotModified = try await client.send(
                .get, "/gists/\(id)", headers: GistServerFixture.headers(extra: [.ifNoneMatch: "\"other\", \(strongForm)"]))
            #expect(alsoNotModified.status == .notModified)

            _ = try await client.send(.patch, "/gists/\(id)", json: #"{"files":{"a.txt":{"content":"y"}}}"#)
            let changed = try await client.send(
                .get, "/gists/\(id)", headers: GistServerFixture.headers(extra: [.ifNoneMatch: etag]))
            #expect(changed.status == .ok)
            #expect(changed.header("ETag") != etag)
            #expect(fileContents(try changed.jsonObject()) == ["a.txt": "y"])
        }
    }
}
