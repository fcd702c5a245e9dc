import Foundation
import GistServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API versions 2022-11-28 and 2026-03-10")
struct APIVersionTests {
    static func headers(version: String, token: String? = GistServerFixture.token) -> HTTPFields {
        var fields = GistServerFixture.headers(token: token)
        fields[HTTPField.Name("X-GitHub-Api-Version")!] = version
        return fields
    }

    @Test("both versions are accepted and echoed in X-GitHub-Api-Version-Selected")
    func bothAccepted() async throws {
        try await GistServerFixture().test { client in
            let created = try await client.createGist(["a.txt": "x"])
            let id = try #require(created["id"] as? String)
            for version in ["2022-11-28", "2026-03-10"] {
                let response = try await client.send(.get, "/gists/\(id)", headers: Self.headers(version: version))
                #expect(response.status == .ok)
                #expect(response.header("X-GitHub-Api-Version-Selected") == version)
            }
        }
    }

    @Test("gist-simple has forks and history at 2022-11-28 and neither at 2026-03-10")
    func forksAndHistoryDropped() async throws {
        try await GistServerFixture().test { client in
            let id = try await client.createGistID()
            let old = try await client.send(.get, "/gists/\(id)", headers: Self.headers(version: "2022-11-28")).jsonObject()
            let new = try await client.send(.get, "/gists/\(id)", headers: Self.headers(version: "2026-03-10")).jsonObject()
            #expect((old["history"] as? [Any])?.count == 1)
            #expect(old["forks"] != nil)
            #expect(new["history"] == nil)
            #expect(new["forks"] == nil)
            #expect(new["files"] != nil)
        }
    }

    @Test("a retired version is 410 Gone, an unknown one 400")
    func retiredAndUnknown() async throws {
        let fixture = try GistServerFixture { $0.retiredAPIVersions = ["2021-01-01"] }
        try await fixture.test { client in
            let retired = try await client.send(.get, "/gists/0123", headers: Self.headers(version: "2021-01-01"))
            #expect(retired.status == .gone)
            #expect(try retired.jsonObject()["status"] as? String == "410")
            let unknown = try await client.send(.get, "/gists/0123", headers: Self.headers(version: "2026-03-11"))
            #expect(unknown.status == .badRequest)
        }
    }

    @Test("/rate_limit has the top-level rate at 2022-11-28 only")
    func rateDroppedIn2026() async throws {
        try await GistServerFixture().test { client in
            let old = try await client.send(.get, "/rate_limit", headers: Self.headers(version: "2022-11-28")).jsonObject()
            let new = try await client.send(.get, "/rate_limit", headers: Self.headers(version: "2026-03-10")).jsonObject()
            #expect(old["rate"] != nil)
            #expect(new["rate"] == nil)
            #expect((new["resources"] as? [String: Any])?["core"] != nil)
        }
    }

    @Test("every answer has Vary and a fresh X-GitHub-Request-Id, errors included")
    func varyAndRequestID() async throws {
        try await GistServerFixture().test { client in
            let first = try await client.send(.get, "/gists/0123")
            let second = try await client.send(.get, "/rate_limit")
            #expect(first.status == .notFound)
            for response in [first, second] {
                #expect(response.header("Vary")?.contains("Authorization") == true)
                #expect(response.header("X-GitHub-Request-Id")?.split(separator: ":").count == 5)
            }
            #expect(first.header("X-GitHub-Request-Id") != second.header("X-GitHub-Request-Id"))
        }
    }
}
