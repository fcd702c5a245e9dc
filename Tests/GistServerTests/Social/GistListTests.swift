import Foundation
import GistServer
import LeaderElectionTestKit
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Gist lists: mine, public, starred, a user's")
struct GistListTests {
    func create(_ client: some TestClientProtocol, _ name: String, public isPublic: Bool, token: String = GistServerFixture.token)
        async throws -> String
    {
        let body = #"{"public":\#(isPublic),"files":{"\#(name)":{"content":"x"}}}"#
        let response = try await client.send(.post, "/gists", json: body, headers: GistServerFixture.headers(token: token))
        #expect(response.status == .created)
        return try #require(try response.jsonObject()["id"] as? String)
    }

    static let octocat = "octocat-test-token"

    /// A fixture with a second user, `octocat`, beside the default one.
    static func twoUsers() throws -> GistServerFixture {
        try GistServerFixture { $0.tokens.append(AccessToken(value: octocat, label: "octocat", login: "octocat")) }
    }

    @Test("GET /gists lists the caller's gists, newest first, without content; anonymous sees public ones")
    func mine() async throws {
        let fixture = try Self.twoUsers()
        try await fixture.test { client in
            let secret = try await create(client, "a.txt", public: false)
            await fixture.clock.advance(by: .seconds(5))
            let shared = try await create(client, "b.txt", public: true)
            _ = try await create(client, "c.txt", public: false, token: Self.octocat)
            let mine = try await client.send(.get, "/gists").jsonArray()
            #expect(mine.compactMap { $0["id"] as? String } == [shared, secret])
            #expect((mine[0]["files"] as? [String: [String: Any]])?["b.txt"]?["content"] == nil)
            #expect(mine[0]["history"] == nil)
            let anonymous = try await client.send(.get, "/gists", headers: GistServerFixture.headers(token: nil)).jsonArray()
            #expect(anonymous.compactMap { $0["id"] as? String } == [shared])
        }
    }

    @Test("since keeps gists updated at or after it; a malformed since is 422 with an errors array")
    func since() async throws {
        let fixture = try GistServerFixture()
        try await fixture.test { client in
            _ = try await create(client, "old.txt", public: true)
            await fixture.clock.advance(by: .seconds(3600))
            let cut = GitHubJSON.timestamp(fixture.clock.wallTime)
            let recent = try await create(client, "new.txt", public: true)
            let listed = try await client.send(.get, "/gists?since=\(cut)").jsonArray()
            #expect(listed.compactMap { $0["id"] as? String } == [recent])
            let bad = try await client.send(.get, "/gists/public?since=yesterday")
            #expect(bad.status == .unprocessableContent)
            let errors = try #require(try bad.jsonObject()["errors"] as? [[String: Any]])
            #expect(errors.first?["field"] as? String == "since")
        }
    }

    @Test("lists are paged with per_page and page, and a Link header like GitHub's")
    func paging() async throws {
        try await GistServerFixture().test { client in
            for index in 0..<5 { _ = try await create(client, "f\(index).txt", public: true) }
            let first = try await client.send(.get, "/gists/public?per_page=2")
            #expect(try first.jsonArray().count == 2)
            let link = try #require(first.header("Link"))
            #expect(link.contains("/gists/public?per_page=2&page=2>; rel=\"next\""))
            #expect(link.contains("page=3>; rel=\"last\""))
            let last = try await client.send(.get, "/gists/public?per_page=2&page=3")
            #expect(try last.jsonArray().count == 1)
            let filtered = try await client.send(.get, "/gists/public?since=2000-01-01T00:00:00Z&per_page=2")
            #expect(filtered.header("Link")?.contains("?since=2000-01-01T00:00:00Z&per_page=2&page=2>; rel=\"next\"") == true)
        }
    }

    @Test("GET /users/{username}/gists shows a user's public gists to others")
    func usersGists() async throws {
        try await Self.twoUsers().test { client in
            let shared = try await create(client, "a.txt", public: true)
            _ = try await create(client, "b.txt", public: false)
            let other = GistServerFixture.headers(token: Self.octocat)
            let listed = try await client.send(.get, "/users/\(AccessToken.defaultLogin)/gists", headers: other).jsonArray()
            #expect(listed.compactMap { $0["id"] as? String } == [shared])
            let nobody = try await client.send(.get, "/users/nobody/gists").jsonArray()
            #expect(nobody.isEmpty)
        }
    }
}
