import Foundation
import GistServer
import LeaderElectionTestKit
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Rate limits")
struct RateLimitTests {
    @Test("the primary limit counts per token, answers 403 with remaining 0 when spent, and resets with the window")
    func primaryLimit() async throws {
        let fixture = try GistServerFixture { $0.rateLimits.authenticatedLimit = 3 }
        try await fixture.test { client in
            let reset = String(Int(ManualClock.wallStart.timeIntervalSince1970) + 3600)
            for expected in ["2", "1", "0"] {
                let response = try await client.send(.get, "/gists/abc")
                #expect(response.status == .notFound)
                #expect(response.header("X-RateLimit-Remaining") == expected)
                #expect(response.header("X-RateLimit-Limit") == "3")
                #expect(response.header("X-RateLimit-Reset") == reset)
                #expect(response.header("X-RateLimit-Resource") == "core")
            }
            let refused = try await client.send(.get, "/gists/abc")
            #expect(refused.status == .forbidden)
            #expect(refused.header("X-RateLimit-Remaining") == "0")
            #expect(refused.header("X-RateLimit-Used") == "3")
            #expect(refused.header("X-RateLimit-Reset") == reset)
            let body = try refused.jsonObject()
            #expect((body["message"] as? String)?.hasPrefix("API rate limit exceeded for user ID") == true)
            #expect(body["documentation_url"] as? String == "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")

            let other = try await client.send(
                .get, "/gists/abc", headers: GistServerFixture.headers(token: GistServerFixture.otherToken))
            #expect(other.status == .notFound)
            #expect(other.header("X-RateLimit-Remaining") == "2")

            await fixture.clock.advance(by: .seconds(3599))
            #expect(try await client.send(.get, "/gists/abc").status == .forbidden)
            await fixture.clock.advance(by: .seconds(1))
            let renewed = try await client.send(.get, "/gists/abc")
            #expect(renewed.status == .notFound)
            #expect(renewed.header("X-RateLimit-Remaining") == "2")
            #expect(renewed.header("X-RateLimit-Reset") == String(Int(ManualClock.wallStart.timeIntervalSince1970) + 7200))
        }
    }

    @Test("429 can be chosen for the primary limit; unauthenticated callers share their address's budget")
    func unauthenticatedAnd429() async throws {
        let fixture = try GistServerFixture {
            $0.rateLimits.unauthenticatedLimit = 1
            $0.rateLimits.exceededStatus = 429
        }
        try await fixture.test { client in
            let anonymous = GistServerFixture.headers(token: nil)
            let first = try await client.send(.get, "/gists/abc", headers: anonymous)
            #expect(first.header("X-RateLimit-Limit") == "1")
            let refused = try await client.send(.get, "/gists/abc", headers: anonymous)
            #expect(refused.status == .tooManyRequests)
            #expect(
                (try refused.jsonObject()["message"] as? String)?.contains("Authenticated requests get a higher rate limit")
                    == true)
            #expect(try await client.send(.get, "/gists/abc").status == .notFound)
        }
    }

    @Test("a 304 does not spend the primary limit")
    func notModifiedIsFree() async throws {
        let fixture = try GistServerFixture { $0.rateLimits.authenticatedLimit = 3 }
        try await fixture.test { client in
            let id = try await client.createGistID()
            let etag = try #require(try await client.send(.get, "/gists/\(id)").header("ETag"))
            for _ in 0..<5 {
                let response = try await client.send(
                    .get, "/gists/\(id)", headers: GistServerFixture.headers(extra: [.ifNoneMatch: etag]))
                #expect(response.status == .notModified)
                #expect(response.header("X-RateLimit-Remaining") == "1")
            }
            #expect(try await client.send(.get, "/gists/\(id)").header("X-RateLimit-Remaining") == "0")
        }
    }

    @Test("the secondary limit answers content-creating requests with 403 and retry-after, reads still pass")
    func secondaryLimit() async throws {
        let fixture = try GistServerFixture { $0.rateLimits.contentCreationPerMinute = 2 }
        try await fixture.test { client in
            let id = try await client.createGistID(["a.txt": "0"])
            await fixture.clock.advance(by: .seconds(20))
            #expect(try await client.send(.patch, "/gists/\(id)", json: #"{"files":{"a.txt":{"content":"1"}}}"#).status == .ok)
            let refused = try await client.send(.patch, "/gists/\(id)", json: #"{"files":{"a.txt":{"content":"2"}}}"#)
            #expect(refused.status == .forbidden)
            #expect(refused.header("Retry-After") == "40")
            #expect(Int(refused.header("X-RateLimit-Remaining") ?? "") ?? 0 > 0)
            #expect(
                (try refused.jsonObject()["message"] as? String)?.hasPrefix("You have exceeded a secondary rate limit") == true)
            #expect(try await client.send(.get, "/gists/\(id)").status == .ok)
            #expect(fileContents(try await client.send(.get, "/gists/\(id)").jsonObject()) == ["a.txt": "1"])

            await fixture.clock.advance(by: .seconds(40))
            #expect(try await client.send(.patch, "/gists/\(id)", json: #"{"files":{"a.txt":{"content":"2"}}}"#).status == .ok)
        }
    }

    @Test("the hourly secondary limit gives a retry-after up to the hour")
    func secondaryHourly() async throws {
        let fixture = try GistServerFixture { $0.rateLimits.contentCreationPerHour = 1 }
        try await fixture.test { client in
            _ = try await client.createGist(["a.txt": "0"])
            await fixture.clock.advance(by: .seconds(600))
            let refused = try await client.send(.post, "/gists", json: #"{"files":{"b.txt":{"content":"1"}}}"#)
            #expect(refused.status == .forbidden)
            #expect(refused.header("Retry-After") == "3000")
        }
    }
}
