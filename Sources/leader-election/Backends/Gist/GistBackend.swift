import ArgumentParser
import Foundation
import GistLock
import LeaderElection

extension GistOptions: LockBackend {
    static let name = "gist"
    static let lockName = "the gist file <election>.lock"
    static let initSummary =
        "creates a private gist holding a free lock file and prints its id, for --gist (init itself takes no --gist or --write-mode)."

    /// Every variable the gist lock reads in every subcommand, the token's included (`run`'s own are
    /// `GistRunOptions.variables`).
    static let variables = [
        "LEADER_ELECTION_GIST_ID", "LEADER_ELECTION_GITHUB_API_URL", "LEADER_ELECTION_GITHUB_API_VERSION",
        "LEADER_ELECTION_TOKEN_FILE", "LEADER_ELECTION_GITHUB_API_TOKEN", "LEADER_ELECTION_WRITE_MODE",
        "LEADER_ELECTION_ALLOW_PLAIN_HTTP",
    ]

    func given(environment: [String: String]) -> [String] {
        Self.given(
            flags: [
                ("--gist", gistID != nil), ("--github-api-url", githubAPIURL != nil),
                ("--github-api-version", githubAPIVersion != nil), ("--token-file", tokenFile != nil),
                ("--write-mode", writeMode != nil), ("--allow-plain-http", allowPlainHTTP),
            ], variables: Self.variables, environment: environment)
    }

    /// `init` creates a new gist through the REST API: the id of an existing one, or how `run` writes,
    /// would be ignored. (Their variables are left alone: a shell or a pod may hold them for `run`.)
    func validateForInit() throws {
        if gistID != nil {
            throw ValidationError(
                "--gist names an existing gist, but init creates a new one and prints its id: drop --gist (run and status take it)"
            )
        }
        if writeMode != nil {
            throw ValidationError(
                "--write-mode says how run writes the lock, but init creates the gist through the REST API: drop --write-mode")
        }
    }

    func open(_ lock: LockSettings, extras: [any BackendExtraOptions], environment: [String: String]) throws -> any LockStore {
        let run = extras.lazy.compactMap { $0 as? GistRunOptions }.first
        let initOptions = extras.lazy.compactMap { $0 as? GistInitOptions }.first
        var settings = try GistSettings(self, run: run, lock: lock, environment: environment)
        settings.description = initOptions?.description
        return GistStore(settings: settings)
    }

    static func defaults(config: LeaderElectionConfig) -> [String: any Sendable] {
        let d = ElectionDefaults.self
        var values: [String: any Sendable] = [
            "takeoverSettle": "\(GoDuration(d.takeoverSettle))",
            "candidates": d.candidates,
            "elections": d.elections,
            "writeMode": WriteMode.auto.rawValue,
        ]
        for (mode, git) in [("git", true), ("rest", false)] {
            let budget = GistRequestBudget(config: config, candidates: d.candidates, gitWrites: git)
            values["budget.\(mode)"] =
                [
                    "countedPerHour": budget.total.counted,
                    "writesPerHour": budget.total.writes,
                    "writesPerMinute": budget.total.writes / 60,
                    "pushesPerMinute": budget.pushesPerMinute,
                    "pushesInBusiestMinute": budget.pushesInBusiestMinute,
                    "fitsThreeQuarters": budget.fits(share: GitHubLimits.safeShare),
                ] as [String: any Sendable]
        }
        return values
    }
}
