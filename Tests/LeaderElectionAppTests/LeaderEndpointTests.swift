import Foundation
import Hummingbird
import HummingbirdTesting
import LeaderElection
import LeaderElectionTestKit
import Testing

@testable import leader_election

@Suite struct LeaderEndpointTests {
    /// A fixed picture of an elector, so each route's answer can be asserted exactly.
    struct FixedSource: LeaderStatusSource {
        var snapshot: ElectorStatus
        var health = HealthCheckResult(isHealthy: true, message: "fine")
        func status() async -> ElectorStatus { snapshot }
        func healthCheck(maxTolerableExpiredLease: Duration) async -> HealthCheckResult { health }
    }

    static let record = LeaderElectionRecord(
        holderIdentity: "cleopatra", leaseDurationSeconds: 30, acquireTime: Date(timeIntervalSince1970: 1_700_000_000),
        renewTime: Date(timeIntervalSince1970: 1_700_000_010), leaderTransitions: 4)

    static func status(record: LeaderElectionRecord?, isLeader: Bool = false, leader: String? = nil) -> ElectorStatus {
        var status = ElectorStatus(
            identity: "napoleon", election: "e", isLeader: isLeader, leader: leader ?? record?.holderIdentity ?? "",
            observedRecord: record,
            sinceObservedChange: nil, sinceLastRenewal: nil, lock: "Github gist lock: napoleon")
        if !status.leader.isEmpty { status.leaderTerm = record?.leaderTransitions }
        return status
    }

    func withApp(_ source: FixedSource, _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router()
        LeaderEndpoint(source: source).addRoutes(to: router)
        try await Application(router: router).test(.router, test)
    }

    @Test func rootAnswersTheLeaderNameAsTheSidecarDid() async throws {
        try await withApp(FixedSource(snapshot: Self.status(record: Self.record))) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "{\"name\":\"cleopatra\",\"term\":4}\n")
            }
        }
    }

    @Test func leaderReportsTermTimesAndLock() async throws {
        try await withApp(FixedSource(snapshot: Self.status(record: Self.record))) { client in
            try await client.execute(uri: "/leader", method: .get) { response in
                let object = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                #expect(object?["leader"] as? String == "cleopatra")
                #expect(object?["identity"] as? String == "napoleon")
                #expect(object?["isLeader"] as? Bool == false)
                #expect(object?["term"] as? Int == 4)
                #expect(object?["leaderTerm"] as? Int == 4)
                #expect(object?["leaderSince"] as? String == "2023-11-14T22:13:20Z")
                #expect(object?["acquireTime"] as? String == "2023-11-14T22:13:20Z")
                #expect(object?["lock"] as? String == "Github gist lock: napoleon")
            }
        }
    }

    @Test func healthzFailsWithTheCheckMessage() async throws {
        var source = FixedSource(snapshot: Self.status(record: Self.record, isLeader: true))
        source.health = HealthCheckResult(isHealthy: false, message: "last renewal 50s ago")
        try await withApp(source) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(String(buffer: response.body) == "last renewal 50s ago\n")
            }
        }
    }

    /// An elector that does not answer (stuck, or busy for longer than a probe waits) is not healthy.
    @Test func healthzFailsInsteadOfHangingWhenTheElectorDoesNotAnswer() async throws {
        struct SilentSource: LeaderStatusSource {
            func status() async -> ElectorStatus { LeaderEndpointTests.status(record: nil) }
            func healthCheck(maxTolerableExpiredLease: Duration) async -> HealthCheckResult {
                // A clock nobody moves: the answer never comes, and the wait ends when the endpoint gives up.
                try? await ManualClock().sleep(for: .seconds(3600))
                return HealthCheckResult(isHealthy: true, message: "too late")
            }
        }
        var endpoint = LeaderEndpoint(source: SilentSource())
        endpoint.healthAnswerLimit = .milliseconds(100)
        let router = Router()
        endpoint.addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).hasPrefix("the elector did not answer within 100ms"))
            }
        }
    }

    /// `/` names only a leader the elector still vouches for: the snapshot's signal, not the record.
    @Test func rootAnswersTheSignalNotTheStoredHolder() async throws {
        try await withApp(FixedSource(snapshot: Self.status(record: Self.record, leader: ""))) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(String(buffer: response.body) == "{\"name\":\"\",\"term\":null}\n")
            }
        }
    }

    @Test func readyzWaitsForTheFirstRead() async throws {
        try await withApp(FixedSource(snapshot: Self.status(record: nil))) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
        try await withApp(FixedSource(snapshot: Self.status(record: Self.record))) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }
}
