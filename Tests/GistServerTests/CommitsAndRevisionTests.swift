import GistServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("GET /gists/{id}/commits and /gists/{id}/{sha}")
struct CommitsAndRevisionTests {
    /// A gist with three versions of `x.lock`: "1", "2", "3".
    private func threeVersions(_ client: some TestClientProtocol) async throws -> (id: String, versions: [String]) {
        let id = try await client.createGistID(["x.lock": "1"])
        _ = try await client.send(.patch, "/gists/\(id)", json: #"{"files":{"x.lock":{"content":"2"}}}"#)
        let gist = try await client.send(.patch, "/gists/\(id)", json: #"{"files":{"x.lock":{"content":"3"}}}"#).jsonObject()
        return (id, versions(gist))
    }

    @Test("commits are newest first in gist-commit shape")
    func listsCommits() async throws {
        try await GistServerFixture().test { client in
            let (id, expected) = try await threeVersions(client)
            let response = try await client.send(.get, "/gists/\(id)/commits")
            #expect(response.status == .ok)
            #expect(response.header("Link") == nil)
            let commits = try response.jsonArray()
            #expect(commits.compactMap { $0["version"] as? String } == expected)
            for commit in commits {
                #expect(commit["url"] as? String == "http://localhost/gists/\(id)/\(commit["version"] as? String ?? "")")
                #expect((commit["user"] as? [String: Any])?["login"] as? String == AccessToken.defaultLogin)
                #expect(commit["committed_at"] is String)
                #expect(commit["change_status"] is [String: Int])
            }
        }
    }

    @Test("per_page and page paginate, with a Link header")
    func paginates() async throws {
        try await GistServerFixture().test { client in
            let (id, expected) = try await threeVersions(client)
            let second = try await client.send(.get, "/gists/\(id)/commits?per_page=1&page=2")
            #expect(try second.jsonArray().compactMap { $0["version"] as? String } == [expected[1]])
            let link = try #require(second.header("Link"))
            #expect(link.contains("<http://localhost/gists/\(id)/commits?per_page=1&page=3>; rel=\"next\""))
            #expect(link.contains("rel=\"prev\""))
            #expect(link.contains("page=3>; rel=\"last\""))
        }
    }

    @Test("a revision shows the files as they were; an abbreviated sha works")
    func revision() async throws {
        try await GistServerFixture().test { client in
            let (id, all) = try await threeVersions(client)
            let oldest = try #require(all.last)
            let full = try await client.send(.get, "/gists/\(id)/\(oldest)")
            #expect(full.status == .ok)
            #expect(fileContents(try full.jsonObject()) == ["x.lock": "1"])
            let short = try await client.send(.get, "/gists/\(id)/\(oldest.prefix(10))")
            #expect(fileContents(try short.jsonObject()) == ["x.lock": "1"])
            let files = try #require(try full.jsonObject()["files"] as? [String: [String: Any]])
            let rawURL = try #require(files["x.lock"]?["raw_url"] as? String)
            #expect(rawURL == "http://localhost/gists/\(id)/raw/\(oldest)/x.lock")
            let raw = try await client.send(.get, String(rawURL.dropFirst("http://localhost".count)))
            #expect(String(buffer: raw.body) == "1")
        }
    }

    @Test("an unknown sha is 404, a malformed one 422")
    func unknownRevision() async throws {
        try await GistServerFixture().test { client in
            let (id, _) = try await threeVersions(client)
            #expect(try await client.send(.get, "/gists/\(id)/\(String(repeating: "0", count: 40))").status == .notFound)
            let malformed = try await client.send(.get, "/gists/\(id)/not-a-sha")
            #expect(malformed.status == .unprocessableContent)
            #expect(try malformed.jsonObject()["message"] as? String == "Validation Failed")
        }
    }
}
