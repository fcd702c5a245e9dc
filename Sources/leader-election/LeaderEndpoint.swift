import Foundation
import Hummingbird
import LeaderElection
import Logging
import ServiceLifecycle

/// What the HTTP endpoint needs from the elector; a protocol so tests can serve a fixed picture.
protocol LeaderStatusSource: Sendable {
    func status() async -> ElectorStatus
    func healthCheck(maxTolerableExpiredLease: Duration) async -> HealthCheckResult
}

extension LeaderElector: LeaderStatusSource {}

/// The HTTP endpoint: who leads (as the Kubernetes leader-elector sidecar answered), health and readiness.
struct LeaderEndpoint<Source: LeaderStatusSource> {
    let source: Source
    /// The Prometheus text for `/metrics`.
    var scrapeMetrics: @Sendable () async -> String = { "" }
    /// The lock's backend's facts, shown at `/leader` (the gist lock's `writeMode`, for one).
    var lockFacts: [String: String] = [:]
    /// How far past its lease a leader may be before /healthz fails (client-go's HealthzAdaptor timeout).
    var maxTolerableExpiredLease: Duration = .seconds(20)
    /// How long /healthz waits for the elector's answer before it fails: a busy elector is not healthy.
    var healthAnswerLimit: Duration = .seconds(2)

    /// `GET /` -> `{"name":"<leader>","term":N}`; `/leader`, `/healthz`, `/readyz`, `/metrics`.
    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { _, _ in
            try Self.json(LeaderName(await source.status()))
        }
        router.get("/leader") { [lockFacts] _, _ in
            try Self.json(WithFacts(LeaderReport(await source.status()), facts: lockFacts))
        }
        router.get("/healthz") { [source, maxTolerableExpiredLease, healthAnswerLimit] _, _ in
            guard
                let health = await Self.answer(
                    within: healthAnswerLimit,
                    {
                        await source.healthCheck(maxTolerableExpiredLease: maxTolerableExpiredLease)
                    })
            else {
                return Self.text(
                    .serviceUnavailable,
                    "the elector did not answer within \(GoDuration(healthAnswerLimit)): it is stuck or overloaded")
            }
            // The status is the probe's answer; the body says why, lost lease or cut off included.
            return Self.text(health.isHealthy ? .ok : .internalServerError, (health.isHealthy ? "ok: " : "") + health.message)
        }
        router.get("/readyz") { _, _ in
            let status = await source.status()
            let ready = status.observedRecord != nil || status.isLeader
            return Self.text(ready ? .ok : .serviceUnavailable, ready ? "ok" : "the lock has not been read yet")
        }
        router.get("/metrics") { _, _ in
            Self.metricsResponse(await scrapeMetrics())
        }
    }

    /// `work`'s result, or nil when it takes longer than `limit`. The work runs in a task of its own
    /// that is left to finish, so an answer that never comes cannot hold the request.
    static func answer<T: Sendable>(within limit: Duration, _ work: @escaping @Sendable () async -> T) async -> T? {
        let (first, gate) = AsyncStream.makeStream(of: T?.self, bufferingPolicy: .bufferingOldest(1))
        let worker = Task {
            gate.yield(await work())
            gate.finish()
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            gate.yield(nil)
            gate.finish()
        }
        for await answer in first {
            timer.cancel()
            if answer == nil { worker.cancel() }
            return answer
        }
        return nil
    }

    static func metricsResponse(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func json(_ value: some Encodable) throws -> Response {
        var body = try JSONEncoder.app.encode(value)
        body.append(0x0A)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension LeaderEndpoint where Source == LeaderElector {
    /// The endpoint as a service that listens on `host:port` (port 0 picks a free one and logs it).
    static func application(
        elector: LeaderElector, scrapeMetrics: @escaping @Sendable () async -> String, lockFacts: [String: String],
        host: String, port: Int, allowRemoteHandover: Bool = false, logger: Logger
    ) -> some Service {
        let router = Router(context: EndpointContext.self)
        LeaderEndpoint(source: elector, scrapeMetrics: scrapeMetrics, lockFacts: lockFacts).addRoutes(to: router)
        HandoverRoute(source: elector, allowRemote: allowRemoteHandover).addRoute(to: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                logger.info("serving HTTP", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
            },
            logger: logger)
    }
}

/// The fuller picture served at `/leader`.
struct LeaderReport: Encodable {
    var identity: String
    var leader: String
    var isLeader: Bool
    var term: Int?
    var acquireTime: Date?
    var renewTime: Date?
    var lock: String
    /// Why this copy last stopped leading: "taken: ..." (another copy took the lease) or "cut off: ..."
    /// (the store did not take a renewal within the renew deadline); absent while it never did.
    var lastStandDown: String?
    /// The lock's last failure while no call has succeeded since: "throttled: ... until ... (UTC)",
    /// "unreachable: ...", "rejected: ..." or "conflict: ..."; absent once a call succeeds.
    var lastLockError: String?
    /// The term of `leader` (this copy's own while it leads), and since when the leader holds the lease
    /// (its record's acquireTime); absent when nobody leads.
    var leaderTerm: Int?
    var leaderSince: Date?
    /// The last changes of holder this copy saw, oldest first.
    var transitions: [LeadershipTransition]

    init(_ status: ElectorStatus) {
        identity = status.identity
        leader = status.leader
        isLeader = status.isLeader
        term = status.observedRecord?.leaderTransitions
        acquireTime = status.observedRecord?.acquireTime
        renewTime = status.observedRecord?.renewTime
        lock = status.lock
        lastStandDown = status.lastStandDown
        lastLockError = status.lastLockError
        leaderTerm = status.leaderTerm
        leaderSince = status.leader.isEmpty ? nil : status.observedRecord?.acquireTime
        transitions = status.transitions
    }
}

/// `GET /`: the sidecar's `name`, and the leader's term (null when nobody leads).
struct LeaderName: Encodable {
    var name: String
    var term: Int?

    init(_ status: ElectorStatus) {
        name = status.leader
        term = status.leaderTerm
    }

    enum CodingKeys: String, CodingKey { case name, term }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(term, forKey: .term)
    }
}
