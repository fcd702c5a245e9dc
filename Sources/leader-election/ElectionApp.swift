import Foundation
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
    static func build(store: any LockStore, run: RunSettings, logger: Logger) async throws -> ElectionApp {
        let metrics = AppMetrics()
        let running = try await store.start(run: run, metrics: metrics, logger: logger)
        let stopper = Stopper()
        let lock = failFast(running.lock, stopper: stopper)

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
                await running.refreshMetrics()
                await elector.refreshMetrics()
                return metrics.scrape(status: await elector.status())
            }
            services.append(
                LeaderEndpoint<LeaderElector>.application(
                    elector: elector, scrapeMetrics: scrape, lockFacts: running.facts, host: http.host,
                    port: http.port, allowRemoteHandover: run.allowRemoteHandover, logger: logger))
        }
        return ElectionApp(services: services, stopper: stopper, logger: logger)
    }

    /// `lock` wrapped so that a permanent failure stops the run; opens the existential for the generic wrapper.
    private static func failFast(_ lock: some ResourceLock, stopper: Stopper) -> any ResourceLock {
        FailFastLock(wrapped: lock) { error in await stopper.stop(because: error) }
    }

    /// Runs until SIGTERM or SIGINT, or until the elector fails or the lock fails for good.
    func run() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map {
                    .init(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
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
