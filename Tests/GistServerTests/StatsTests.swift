import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Request accounting (/_gist-server/stats)")
struct StatsTests {
    @Test("counts by method, route, status and token label, with 304s apart; reset clears; tokens never appear")
    func countsAndResets() async throws {
        try await GistServerFixture().test { client in
            let id = try await client.createGistID()
            let etag = try #require(try await client.send(.get, "/gists/\(id)").header("ETag"))
            _ = try await client.send(.get, "/gists/\(id)", headers: GistServerFixture.headers(extra: [.ifNoneMatch: etag]))
            _ = try await client.send(.get, "/gists/\(id)/commits", headers: GistServerFixture.headers(token: nil))
            _ = try await client.send(.patch, "/gists/\(id)", json: #"{"files":{"a.txt":null}}"#)
            _ = try await client.send(.get, "/gists/\(id)", headers: GistServerFixture.headers(token: "wrong"))

            let response = try await client.send(.get, "/_gist-server/stats")
            let text = String(buffer: response.body)
            #expect(!text.contains(GistServerFixture.token))
            #expect(!text.contains("wrong"))
            let stats = try response.jsonObject()
            #expect(stats["total"] as? Int == 6)
            #expect(stats["notModified"] as? Int == 1)
            #expect(stats["byMethod"] as? [String: Int] == ["GET": 4, "POST": 1, "PATCH": 1])
            #expect(
                stats["byRoute"] as? [String: Int] == [
                    "POST /gists": 1, "GET /gists/{gist_id}": 3, "GET /gists/{gist_id}/commits": 1, "PATCH /gists/{gist_id}": 1,
                ])
            #expect(stats["byStatus"] as? [String: Int] == ["201": 1, "200": 2, "304": 1, "422": 1, "401": 1])
            #expect(stats["byToken"] as? [String: Int] == ["token-1": 4, "anonymous": 1, "invalid": 1])
            let entries = try #require(stats["entries"] as? [[String: Any]])
            #expect(
                entries.contains {
                    $0["method"] as? String == "GET" && $0["route"] as? String == "/gists/{gist_id}"
                        && $0["status"] as? Int == 304
                        && $0["token"] as? String == "token-1" && $0["count"] as? Int == 1
                })

            #expect(try await client.send(.post, "/_gist-server/reset-stats").status == .noContent)
            #expect(try await client.send(.get, "/_gist-server/stats").jsonObject()["total"] as? Int == 0)
        }
    }
}
