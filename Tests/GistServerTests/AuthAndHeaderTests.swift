import Foundation
import GistServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Credentials, User-Agent and API version")
struct AuthAndHeaderTests {
    @Test(
        "an unknown token or scheme is 401 with GitHub's exact body",
        arguments: [
            "Bearer not-a-known-token", "token not-a-known-token", "Basic dXNlcjpwYXNz", "Bearer", "",
        ])
    func badCredentials(_ authorization: String) async throws {
        try await GistServerFixture().test { client in
            let response = try await client.send(
                .get, "/gists/0123", headers: GistServerFixture.headers(token: nil, extra: [.authorization: authorization]))
            #expect(response.status == .unauthorized)
            let body = try response.jsonObject()
            #expect(body.count == 3)
            #expect(body["message"] as? String == "Bad credentials")
            #expect(body["documentation_url"] as? String == "https://docs.github.com/rest")
            #expect(body["status"] as? String == "401")
        }
    }

    @Test("both `Bearer T` and `token T` authenticate")
    func bothSchemes() async throws {
        try await GistServerFixture().test { client in
            let body = #"{"files":{"a.txt":{"content":"x"}}}"#
            for scheme in ["Bearer", "token", "bearer"] {
                let headers = GistServerFixture.headers(
                    token: nil, extra: [.authorization: "\(scheme) \(GistServerFixture.token)"])
                let response = try await client.send(.post, "/gists", json: body, headers: headers)
                #expect(response.status == .created)
            }
        }
    }

    @Test("a request without User-Agent is 403 and reaches no endpoint")
    func userAgentRequired() async throws {
        try await GistServerFixture().test { client in
            var headers = GistServerFixture.headers()
            headers[.userAgent] = nil
            let response = try await client.send(.post, "/gists", json: #"{"files":{"a.txt":{"content":"x"}}}"#, headers: headers)
            #expect(response.status == .forbidden)
            #expect((try response.jsonObject()["message"] as? String)?.contains("User-Agent") == true)
            let stats = try await client.send(.get, "/_gist-server/stats").jsonObject()
            #expect(stats["byStatus"] as? [String: Int] == ["403": 1])
        }
    }

    @Test("an unsupported X-GitHub-Api-Version is 400; without one the default is selected")
    func apiVersion() async throws {
        try await GistServerFixture().test { client in
            var headers = GistServerFixture.headers()
            headers[HTTPField.Name("X-GitHub-Api-Version")!] = "2010-01-01"
            let refused = try await client.send(.get, "/gists/abc", headers: headers)
            #expect(refused.status == .badRequest)
            #expect(try refused.jsonObject()["message"] as? String == "API version 2010-01-01 is not supported.")
            headers[HTTPField.Name("X-GitHub-Api-Version")!] = nil
            let defaulted = try await client.send(.get, "/gists/abc", headers: headers)
            #expect(defaulted.status == .notFound)
            #expect(defaulted.header("X-GitHub-Api-Version-Selected") == "2022-11-28")
        }
    }
}
