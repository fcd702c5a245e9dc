import Foundation
import Hummingbird
import HummingbirdTesting
import LeaderElection
import Testing

@testable import leader_election

/// `/healthz` keeps client-go's status (a copy that lost its lease is not sick), and its body says why
/// this copy does not lead; `/leader` says what the lock's last failed call said.
@Suite struct HealthzCauseTests {
    static let throttled =
        "throttled: GitHub rate limit reached (429) on GET /gists/g: no requests until 2026-12-03T23:00:00Z (UTC)"

    @Test func healthyAnswerCarriesTheCheckMessage() async throws {
        var source = LeaderEndpointTests.FixedSource(snapshot: LeaderEndpointTests.status(record: LeaderEndpointTests.record))
        source.health = HealthCheckResult(
            isHealthy: true, message: "not leading election e; last stood down: taken: the lease is now held by cleopatra")
        let router = Router()
        LeaderEndpoint(source: source).addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(
                    String(buffer: response.body)
                        == "ok: not leading election e; last stood down: taken: the lease is now held by cleopatra\n")
            }
        }
    }

    @Test func leaderShowsTheLastLockError() async throws {
        var snapshot = LeaderEndpointTests.status(record: LeaderEndpointTests.record)
        snapshot.lastLockError = Self.throttled
        let standDown = "cut off: no renewal succeeded within the renew deadline 35s: rate limit"
        snapshot.lastStandDown = standDown
        let router = Router()
        LeaderEndpoint(source: LeaderEndpointTests.FixedSource(snapshot: snapshot)).addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/leader", method: .get) { response in
                let object = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                #expect(object?["lastLockError"] as? String == Self.throttled)
                #expect(object?["lastStandDown"] as? String == standDown)
            }
        }
    }
}
