import Foundation
import GistLock
import Hummingbird
import LeaderElection
import Logging
import ServiceLifecycle
import UnixSignals

/// The running app: the elector and, when asked for, the HTTP endpoint, in one service group that
/// turns SIGTERM and SIGINT into a graceful shutdown (the elector then releases the lease).
struct ElectionApp {
    let elector: LeaderElector
    let services: [any Service]
    let logger: Logger

    /// Builds everything `run` needs and checks at start what cannot heal by retrying.
    static func build(gist: GistSettings, run: RunSettings, logger: Logger) async throws -> ElectionApp {
        let client = try GistClient(
            apiURL: gist.apiURL, token: gist.requireToken(), userAgent: userAgent, timeout: gist.requestTimeout)
        let lock = GistLock(
            client: client, gistID: try gist.requireGistID(), election: gist.election, identity: run.identity,
            settleTime: run.takeoverSettle, logger: logger)
        try await StartupCheck.lockIsReachable(lock, logger: logger)

        let identity = run.identity
        let leadership = Leadership()
        let callbacks = LeaderCallbacks(
            onStartedLeading: { term in
                await leadership.started()
                logger.info("started leading.", metadata: ["term": "\(term)"])
            },
            onStoppedLeading: {
                guard await leadership.stopped() else { return }
                logger.info("I am no longer the leader, staying inactive.")
            },
            onNewLeader: { leader in
                if leader == identity {
                    logger.info("I am \(identity)! I will lead you to greatness!")
                } else {
                    logger.info("All hail \(leader)")
                }
            }
        )
        let elector = LeaderElector(config: run.config, lock: lock, callbacks: callbacks, logger: logger)
        var services: [any Service] = [elector]
        if let http = run.http {
            services.append(LeaderEndpoint<LeaderElector>.application(elector: elector, host: http.host, port: http.port, logger: logger))
        }
        return ElectionApp(elector: elector, services: services, logger: logger)
    }

    static let userAgent = "leader-election (multi-cluster-leader-election)"

    /// Runs until SIGTERM or SIGINT, or until the elector fails.
    func run() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map {
                    .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                          failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

/// Whether this copy has led since it last stopped, so "no longer the leader" is said only by a leader.
actor Leadership {
    private var leading = false

    func started() { leading = true }

    /// Returns whether this copy was leading.
    func stopped() -> Bool {
        defer { leading = false }
        return leading
    }
}
