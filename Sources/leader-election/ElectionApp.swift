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
    let services: [any Service]
    let stopper: Stopper
    let logger: Logger

    /// Builds everything `run` needs and checks at start what cannot heal by retrying.
    static func build(gist: GistSettings, run: RunSettings, logger: Logger) async throws -> ElectionApp {
        let metrics = AppMetrics()
        let client = try GistClient(
            apiURL: gist.apiURL, token: gist.requireToken(), userAgent: userAgent, timeout: gist.requestTimeout,
            apiVersion: gist.apiVersion, onResponse: { method, status in metrics.countRequest(method: method, status: status) },
            tokenOrigin: gist.tokenOrigin)
        let gistID = try gist.requireGistID()
        let gitWriter = try await WriteModeCheck.gitWriter(
            mode: gist.writeMode, client: client, gistID: gistID, token: try gist.requireToken(),
            timeout: gist.requestTimeout, logger: logger)
        let gistLock = GistLock(
            client: client, gistID: gistID, election: gist.election, identity: run.identity,
            settleTime: run.takeoverSettle, logger: logger, gitWriter: gitWriter)
        if gitWriter != nil {
            logger.info(
                "writing the lock through git: each write is a push that the gist's repository applies only on the commit it was built on",
                metadata: ["write.mode": "git"])
        }
        metrics.setWriteMode(gistLock.writeMode)
        try await StartupCheck.lockIsReachable(gistLock, logger: logger)
        // After the lock check, so that a start that fails says so in one line.
        await RateLimitCheck.logBudget(client, logger: logger)
        RequestBudgetCheck.warnIfTooCostly(
            config: run.config, candidates: run.candidates, elections: run.elections, gitWrites: gitWriter != nil,
            requestTimeout: gist.requestTimeout, limits: run.checkLimits.limits(apiURL: gist.apiURL), logger: logger)
        let stopper = Stopper()
        let lock = FailFastLock(wrapped: gistLock) { error in await stopper.stop(because: error) }

        let identity = run.identity
        let leaderFile = run.leaderFile
        try leaderFile?.prepare()
        let leadership = Leadership()
        let callbacks = LeaderCallbacks(
            onStartedLeading: { term in
                await leadership.started()
                logger.info("started leading.", metadata: ElectionEvent.startedLeading.metadata(["term": "\(term)"]))
                await leaderFile?.hold(term: term, logger: logger)
            },
            onStoppedLeading: {
                guard await leadership.stopped() else { return }
                logger.info("I am no longer the leader, staying inactive.", metadata: ElectionEvent.stoppedLeading.metadata())
            },
            onNewLeader: { leader in
                let metadata = ElectionEvent.newLeader.metadata(["leader": "\(leader)"])
                if leader == identity {
                    logger.info("I am \(identity)! I will lead you to greatness!", metadata: metadata)
                } else {
                    logger.info("All hail \(leader)", metadata: metadata)
                }
            }
        )
        let elector = LeaderElector(
            config: run.config, lock: lock, callbacks: callbacks, logger: logger, metrics: metrics.factory)
        var services: [any Service] = [elector]
        if let http = run.http {
            let scrape: @Sendable () async -> String = {
                metrics.scrape(status: await elector.status(), rateLimit: await client.rateLimitSnapshot)
            }
            services.append(
                LeaderEndpoint<LeaderElector>.application(
                    elector: elector, scrapeMetrics: scrape, writeMode: gistLock.writeMode, host: http.host,
                    port: http.port, allowRemoteHandover: run.allowRemoteHandover, logger: logger))
        }
        return ElectionApp(services: services, stopper: stopper, logger: logger)
    }

    static let userAgent = "leader-election (multi-cluster-leader-election)"

    /// Runs until SIGTERM or SIGINT, or until the elector fails or the lock fails for good.
    func run() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map {
                    .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                          failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        await stopper.attach(group)
        try await group.run()
        if let failure = await stopper.failure {
            throw failure
        }
    }
}
