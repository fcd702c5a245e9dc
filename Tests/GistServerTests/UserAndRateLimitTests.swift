import Foundation
import GistServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("GET /user, /users/{username} and /rate_limit")
struct UserAndRateLimitTests {
    @Test("GET /user is the token's owner with gist counts; without a token 401")
    func authenticatedUser() async throws {
        try await GistServerFixture().test { client in
            _ = try await client.createGist(["a.txt": "x"])
            let user = try await client.send(.get, "/user")
            #expect(user.status == .ok)
            let body = try user.jsonObject()
            #expect(body["login"] as? String == AccessToken.defaultLogin)
            #expect(body["private_gists"] as? Int == 1)
            #expect(body["public_gists"] as? Int == 0)
            #expect(user.header("ETag")?.hasPrefix("W/\"") == true)
            let anonymous = try await client.send(.get, "/user", headers: GistServerFixture.headers(token: nil))
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test("GET /users/{username} knows token owners and gist owners only")
    func userByName() async throws {
        try await GistServerFixture().test { client in
            let known = try await client.send(.get, "/users/\(AccessToken.defaultLogin)")
            #expect(known.status == .ok)
            #expect(try known.jsonObject()["private_gists"] == nil)
            #expect(try await client.send(.get, "/users/nobody").status == .notFound)
        }
    }

    @Test("GET /rate_limit shows the core budget and does not spend it, even when exhausted")
    func rateLimitIsFree() async throws {
        let fixture = try GistServerFixture { $0.rateLimits.authenticatedLimit = 3 }
        try await fixture.test { client in
            _ = try await client.send(.get, "/gists/0123")
            for _ in 0..<3 {
                let answer = try await client.send(.get, "/rate_limit")
                let core = try #require((try answer.jsonObject()["resources"] as? [String: Any])?["core"] as? [String: Any])
                #expect(core["used"] as? Int == 1)
                #expect(core["remaining"] as? Int == 2)
                #expect(core["limit"] as? Int == 3)
            }
            for _ in 0..<2 { _ = try await client.send(.get, "/gists/0123") }
            #expect(try await client.send(.get, "/gists/0123").status == .forbidden)
            let exhausted = try await client.send(.get, "/rate_limit")
            #expect(exhausted.status == .ok)
            #expect(exhausted.header("X-RateLimit-Remaining") == "0")
        }
    }

    @Test("a gist of more than 300 files shows the first 300 and top-level truncated: true")
    func manyFiles() async throws {
        try await GistServerFixture().test { client in
            let files = Dictionary(uniqueKeysWithValues: (0..<301).map { (String(format: "f%03d.txt", $0), "x") })
            let created = try await client.createGist(files)
            #expect(created["truncated"] as? Bool == true)
            let shown = try #require(created["files"] as? [String: Any])
            #expect(shown.count == 300)
            #expect(shown["f300.txt"] == nil)
        }
    }
}
