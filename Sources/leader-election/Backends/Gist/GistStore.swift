import Foundation
import GistLock
import LeaderElection
import Logging

/// The gist lock's store: a file `<election>.lock` in one gist, read through GitHub's REST API and
/// written by git pushes (or REST PATCHes, see `WriteMode`).
struct GistStore: LockStore {
    let settings: GistSettings

    static let userAgent = "leader-election (multi-cluster-leader-election)"
    /// The new gist's description when `init` is given none.
    static let defaultDescription = "Lock of a multi-cluster leader election (leader-election)"

    func start(run: RunSettings, metrics: AppMetrics, logger: Logger) async throws -> RunningLock {
        let gist = settings
        let takeoverSettle = try gist.checkedTakeoverSettle(lease: run.config.leaseDuration)
        let github = GistMetrics(registry: metrics.registry)
        let client = try GistClient(
            apiURL: gist.apiURL, token: gist.requireToken(), userAgent: Self.userAgent, timeout: gist.requestTimeout,
            apiVersion: gist.apiVersion, onResponse: { method, status in github.countRequest(method: method, status: status) },
            tokenOrigin: gist.tokenOrigin)
        let gistID = try gist.requireGistID()
        let gitWriter = try await WriteModeCheck.gitWriter(
            mode: gist.writeMode, client: client, gistID: gistID, token: try gist.requireToken(),
            timeout: gist.requestTimeout, logger: logger)
        let gistLock = GistLock(
            client: client, gistID: gistID, election: gist.election, identity: run.identity,
            settleTime: takeoverSettle, logger: logger, gitWriter: gitWriter)
        if gitWriter != nil {
            logger.info(
                "writing the lock through git: each write is a push that the gist's repository applies only on the commit it was built on",
                metadata: ["write.mode": "git"])
        }
        github.setWriteMode(gistLock.writeMode)
        try await StartupCheck.lockIsReachable(gistLock, logger: logger)
        // After the lock check, so that a start that fails says so in one line.
        await RateLimitCheck.logBudget(client, logger: logger)
        RequestBudgetCheck.warnIfTooCostly(
            config: run.config, candidates: gist.candidates, elections: gist.elections, gitWrites: gitWriter != nil,
            requestTimeout: gist.requestTimeout, limits: gist.checkLimits.limits(apiURL: gist.apiURL), logger: logger)
        return RunningLock(
            lock: gistLock, facts: ["writeMode": gistLock.writeMode],
            refreshMetrics: { github.refresh(await client.rateLimitSnapshot) })
    }

    func status() async throws -> LockStatus {
        let client = try makeClient()
        let gistID = try settings.requireGistID()
        let quiet = Logger(label: "status", factory: { _ in SwiftLogNoOpLogHandler() })
        let lock = GistLock(client: client, gistID: gistID, election: settings.election, identity: "status", logger: quiet)
        let observed = try await lock.get()
        // What a run with these settings would write through, found as a run finds it.
        let writeMode: String
        do {
            let writer = try await WriteModeCheck.gitWriter(
                mode: settings.writeMode, client: client, gistID: gistID, token: try settings.requireToken(),
                timeout: settings.requestTimeout, logger: quiet)
            writeMode = writer == nil ? "rest" : "git"
        } catch {
            writeMode = "none (\(error))"
        }
        return Self.status(gistID: gistID, election: settings.election, observed: observed, writeMode: writeMode)
    }

    /// What `status` shows of gist `gistID`.
    static func status(gistID: String, election: String, observed: ObservedRecord?, writeMode: String) -> LockStatus {
        let file = "\(election).lock"
        return LockStatus(
            observed: observed, place: "\(file) in gist \(gistID)", missing: "the lock file does not exist yet",
            facts: [
                LockFact(key: "gist", value: gistID),
                LockFact(key: "file", value: file),
                LockFact(
                    key: "writeMode", value: writeMode, label: "writes",
                    note: writeMode == "git" ? "pushes to the gist's repository" : nil),
            ])
    }

    /// Creates a private gist holding a free lock; the line is its id.
    func initialize() async throws -> String {
        let created = try await GistLock.createGist(
            client: try makeClient(), election: settings.election,
            description: settings.description ?? Self.defaultDescription)
        return created.id
    }

    private func makeClient() throws -> GistClient {
        try GistClient(
            apiURL: settings.apiURL, token: settings.requireToken(), userAgent: Self.userAgent,
            timeout: settings.requestTimeout, apiVersion: settings.apiVersion, tokenOrigin: settings.tokenOrigin)
    }
}
