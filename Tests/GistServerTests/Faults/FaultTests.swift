import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import Testing
import LeaderElectionTestKit

@Suite("Fault injection (/_gist-server/faults)")
struct FaultTests {
    @Test("a status fault answers the next `count` matching requests in GitHub's shape, then stops")
    func statusFault() async throws {
        try await GistServerFixture().test { client in
            let id = try await client.createGistID()
            let posted = try await client.send(
                .post, "/_gist-server/faults", json: #"{"status":503,"count":2,"methods":["PATCH"],"retryAfter":5}"#)
            #expect(posted.status == .created)
            #expect(try await client.send(.get, "/gists/\(id)").status == .ok)
            let patch = #"{"files":{"a.txt":{"content":"y"}}}"#
            for _ in 0..<2 {
                let failed = try await client.send(.patch, "/gists/\(id)", json: patch)
                #expect(failed.status == .serviceUnavailable)
                #expect(failed.header("Retry-After") == "5")
                let body = try failed.jsonObject()
                #expect(body["message"] as? String == "Service Unavailable")
                #expect(body["documentation_url"] is String)
            }
            #expect(fileContents(try await client.send(.get, "/gists/\(id)").jsonObject()) == ["a.txt": "x"])
            #expect(try await client.send(.patch, "/gists/\(id)", json: patch).status == .ok)
            #expect(try await client.send(.get, "/_gist-server/faults").jsonArray().isEmpty)
        }
    }

    @Test("403/429 faults look like GitHub's rate-limit answers")
    func rateLimitFaults() async throws {
        try await GistServerFixture().test { client in
            _ = try await client.send(
                .post, "/_gist-server/faults", json: #"[{"status":429,"count":1,"retryAfter":30},{"status":403,"count":1}]"#)
            let secondary = try await client.send(.get, "/gists/abc")
            #expect(secondary.status == .tooManyRequests)
            #expect(secondary.header("Retry-After") == "30")
            #expect((try secondary.jsonObject()["message"] as? String)?.contains("secondary rate limit") == true)
            let primary = try await client.send(.get, "/gists/abc")
            #expect(primary.status == .forbidden)
            #expect(primary.header("X-RateLimit-Remaining") == "0")
            #expect(primary.header("X-RateLimit-Reset") != nil)
            #expect((try primary.jsonObject()["message"] as? String)?.hasPrefix("API rate limit exceeded") == true)
            #expect(try await client.send(.get, "/gists/abc").status == .notFound)
        }
    }

    @Test("latency waits on the injected clock before the request is handled")
    func latency() async throws {
        let fixture = try GistServerFixture()
        try await fixture.test { client in
            let id = try await client.createGistID()
            _ = try await client.send(.post, "/_gist-server/faults", json: #"{"latencyMs":5000,"count":1}"#)
            async let delayed = client.send(.get, "/gists/\(id)")
            await fixture.clock.waitForSleepers(atLeast: 1)
            await fixture.clock.advance(by: .seconds(5))
            #expect(try await delayed.status == .ok)
            #expect(try await client.send(.get, "/gists/\(id)").status == .ok)
        }
    }

    @Test("faults can target one token or a path; DELETE clears them")
    func targetingAndClearing() async throws {
        try await GistServerFixture().test { client in
            _ = try await client.send(.post, "/_gist-server/faults", json: #"{"status":500,"token":"token-2"}"#)
            _ = try await client.send(.post, "/_gist-server/faults", json: #"{"status":502,"path":"/gists/only-this"}"#)
            #expect(try await client.send(.get, "/gists/abc").status == .notFound)
            #expect(try await client.send(.get, "/gists/only-this").status == .badGateway)
            let other = GistServerFixture.headers(token: GistServerFixture.otherToken)
            #expect(try await client.send(.get, "/gists/abc", headers: other).status == .internalServerError)
            #expect(try await client.send(.get, "/gists/abc", headers: other).status == .internalServerError)
            #expect(try await client.send(.get, "/_gist-server/faults").jsonArray().count == 2)
            #expect(try await client.send(.delete, "/_gist-server/faults").status == .noContent)
            #expect(try await client.send(.get, "/gists/abc", headers: other).status == .notFound)
        }
    }

    @Test("faults can target a User-Agent or a client address")
    func targetingClients() async throws {
        try await GistServerFixture().test { client in
            _ = try await client.send(.post, "/_gist-server/faults", json: #"{"status":503,"userAgent":"stalin"}"#)
            _ = try await client.send(.post, "/_gist-server/faults", json: #"{"status":504,"client":"10.9.9.9"}"#)
            var stalin = GistServerFixture.headers()
            stalin[.userAgent] = "leader-election/1 stalin"
            var napoleon = GistServerFixture.headers()
            napoleon[.userAgent] = "leader-election/1 napoleon"
            #expect(try await client.send(.get, "/gists/abc", headers: stalin).status == .serviceUnavailable)
            #expect(try await client.send(.get, "/gists/abc", headers: napoleon).status == .notFound)
        }
    }

    @Test(
        "malformed or meaningless faults are refused",
        arguments: [
            (#"{"status":"x"}"#, 400), (#"{"status":200}"#, 422), (#"{"count":3}"#, 422), (#"{"status":503,"count":0}"#, 422),
        ])
    func refusesBadFaults(_ body: String, _ status: Int) async throws {
        try await GistServerFixture().test { client in
            let response = try await client.send(.post, "/_gist-server/faults", json: body)
            #expect(Int(response.status.code) == status)
            #expect(try await client.send(.get, "/_gist-server/faults").jsonArray().isEmpty)
        }
    }
}
