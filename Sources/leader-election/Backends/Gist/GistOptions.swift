import ArgumentParser
import Foundation
import GistLock
import LeaderElection

/// The gist lock's options: where the lock lives, how to reach GitHub and write it. Every subcommand
/// takes them; with `--lock gist` only. What only `run` or `init` uses is in `GistRunOptions` and
/// `GistInitOptions`.
struct GistOptions: ParsableArguments {
    @Option(name: .customLong("gist"), help: "Id of the gist that holds the lock. [env: LEADER_ELECTION_GIST_ID]")
    var gistID: String?

    @Option(
        name: .customLong("github-api-url"),
        help: "GitHub REST API base URL. [env: LEADER_ELECTION_GITHUB_API_URL] (default: https://api.github.com)")
    var githubAPIURL: String?

    @Option(
        name: .customLong("github-api-version"),
        help:
            "GitHub REST API version to ask for (X-GitHub-Api-Version). [env: LEADER_ELECTION_GITHUB_API_VERSION] (default: \(GistClient.historyAPIVersion), whose answers name the commit git writes build on; \(GistClient.defaultAPIVersion) with --write-mode rest)"
    )
    var githubAPIVersion: String?

    @Option(help: "File holding the GitHub token; otherwise LEADER_ELECTION_GITHUB_API_TOKEN. [env: LEADER_ELECTION_TOKEN_FILE]")
    var tokenFile: String?

    @Option(
        help:
            "How the lock is written: git (a push that git applies only on the observed commit), rest (a PATCH checked by a read-back), or auto (git when the gist's repository takes the token's pushes at start, else rest with a warning). [env: LEADER_ELECTION_WRITE_MODE] (default: auto)"
    )
    var writeMode: String?

    @Flag(
        help:
            "Allow a plain-http --github-api-url on a host other than loopback, although the token then travels in clear (a test network, never the internet). [env: LEADER_ELECTION_ALLOW_PLAIN_HTTP=true]"
    )
    var allowPlainHTTP = false
}

/// `GistOptions` after flags, then environment, then defaults were applied and checked.
struct GistSettings: Sendable {
    static let defaultElection = ElectionDefaults.name
    static let defaultAPIURL = "https://api.github.com"

    var gistID: String?
    var election: String
    var apiURL: URL
    var apiVersion: String
    var token: String?
    /// Where the token came from, for messages about a refused token.
    var tokenOrigin: String
    var requestTimeout: Duration
    var writeMode: WriteMode
    var candidates: Int
    var elections: Int
    var checkLimits: CheckLimits
    /// Checked against the lease duration when a run starts, which knows it.
    var takeoverSettle: Duration
    /// The new gist's description, for `init`.
    var description: String?

    /// - Parameters:
    ///   - run: `run`'s own options; without them (in `status` and `init`) their defaults, whatever the
    ///     environment says.
    ///   - lock: the election and the request timeout, which every backend shares.
    init(
        _ options: GistOptions, run: GistRunOptions? = nil, lock: LockSettings = LockSettings(backend: GistOptions.name),
        environment: [String: String]
    ) throws {
        election = lock.election
        requestTimeout = lock.requestTimeout
        gistID = options.gistID ?? environment.nonEmpty("LEADER_ELECTION_GIST_ID")
        let urlText = options.githubAPIURL ?? environment.nonEmpty("LEADER_ELECTION_GITHUB_API_URL") ?? Self.defaultAPIURL
        guard let url = URL(string: urlText), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw AppError(
                "invalid GitHub API URL \"\(urlText)\": give an http(s) URL such as https://api.github.com with --github-api-url")
        }
        apiURL = url
        let allowPlainHTTP = options.allowPlainHTTP || environment.nonEmpty("LEADER_ELECTION_ALLOW_PLAIN_HTTP") == "true"
        if url.scheme == "http", !isLoopback(url), !allowPlainHTTP {
            throw AppError(
                "the GitHub API URL \(urlText) is plain http on a host that is not loopback, so the token would travel in clear: "
                    + "give an https URL, or pass --allow-plain-http on a network you trust")
        }
        let modeText = options.writeMode ?? environment.nonEmpty("LEADER_ELECTION_WRITE_MODE") ?? WriteMode.auto.rawValue
        guard let mode = WriteMode(rawValue: modeText) else {
            throw AppError(
                "invalid write mode \"\(modeText)\": give auto, git or rest with --write-mode (or LEADER_ELECTION_WRITE_MODE)")
        }
        writeMode = mode
        // Git writes build on the commit a read names, and only the older version's answers name it.
        apiVersion =
            options.githubAPIVersion ?? environment.nonEmpty("LEADER_ELECTION_GITHUB_API_VERSION")
            ?? (mode == .rest ? GistClient.defaultAPIVersion : GistClient.historyAPIVersion)
        guard apiVersion.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil else {
            throw AppError(
                "invalid GitHub API version \"\(apiVersion)\": give a dated version such as \(GistClient.defaultAPIVersion) with --github-api-version"
            )
        }
        // `status` and `init` ignore run's variables, which a pod's environment holds for `run`.
        let runEnvironment = run == nil ? [:] : environment
        candidates = try Self.count(
            run?.candidates, "--candidates", "LEADER_ELECTION_CANDIDATES", runEnvironment, "copies that take part",
            default: ElectionDefaults.candidates)
        elections = try Self.count(
            run?.elections, "--elections", "LEADER_ELECTION_ELECTIONS", runEnvironment, "elections that share the token",
            default: ElectionDefaults.elections)
        let checkText = run?.checkLimits ?? runEnvironment.nonEmpty("LEADER_ELECTION_CHECK_LIMITS") ?? CheckLimits.auto.rawValue
        guard let check = CheckLimits(rawValue: checkText) else {
            throw AppError("invalid --check-limits \"\(checkText)\": give auto, github or off (or LEADER_ELECTION_CHECK_LIMITS)")
        }
        checkLimits = check
        takeoverSettle =
            try GoDuration.setting(
                run?.takeoverSettle, "--takeover-settle", "LEADER_ELECTION_TAKEOVER_SETTLE", runEnvironment)
            ?? ElectionDefaults.takeoverSettle
        let tokenFile = options.tokenFile ?? environment.nonEmpty("LEADER_ELECTION_TOKEN_FILE")
        if let tokenFile {
            let text = try readSecretFile(
                tokenFile, name: "the token file", flag: "--token-file", variable: "LEADER_ELECTION_TOKEN_FILE",
                trimming: .whitespacesAndNewlines, content: "a GitHub token with the gist scope")
            tokenOrigin = "the token file \(tokenFile) (--token-file)"
            token = try Self.sendable(text, from: tokenOrigin)
        } else if let text = environment.nonEmpty("LEADER_ELECTION_GITHUB_API_TOKEN") {
            // Trimmed as the file is: URLSession drops, in silence, a header whose value ends in a newline.
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else {
                throw AppError("LEADER_ELECTION_GITHUB_API_TOKEN holds only blanks: set it to a GitHub token with the gist scope")
            }
            tokenOrigin = "LEADER_ELECTION_GITHUB_API_TOKEN"
            token = try Self.sendable(trimmed, from: tokenOrigin)
        } else {
            tokenOrigin = "LEADER_ELECTION_GITHUB_API_TOKEN"
            token = nil
        }
    }

    /// A count of at least 1, from the flag, then the variable, then `default`.
    private static func count(
        _ value: Int?, _ flag: String, _ variable: String, _ environment: [String: String], _ counted: String, default: Int
    ) throws -> Int {
        var count = value ?? `default`
        if value == nil, let text = environment.nonEmpty(variable) {
            guard let parsed = Int(text) else {
                throw AppError("\(variable)=\"\(text)\" is not a number: give the number of \(counted)")
            }
            count = parsed
        }
        guard count >= 1 else {
            throw AppError("\(flag) (\(count)) must be at least 1: the number of \(counted)")
        }
        return count
    }

    /// The takeover settle time, if shorter than `lease`: a run checks it once the timings are known.
    func checkedTakeoverSettle(lease: Duration) throws -> Duration {
        guard takeoverSettle >= .zero, takeoverSettle < lease else {
            throw AppError(
                "--takeover-settle (\(GoDuration(takeoverSettle))) must be at least 0s and shorter than the lease duration")
        }
        return takeoverSettle
    }

    /// The token, if an HTTP header can carry it: visible ASCII only. Anything else (a control
    /// character, an inner space, a non-ASCII letter) would be dropped or mangled by URLSession.
    private static func sendable(_ token: String, from origin: String) throws -> String {
        guard token.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw AppError(
                "the token from \(origin) holds characters an HTTP header cannot carry (spaces, control or non-ASCII "
                    + "characters), so it could not be sent: give the token exactly as GitHub shows it")
        }
        return token
    }

    /// The gist id, or an error telling how to give one.
    func requireGistID() throws -> String {
        guard let gistID else {
            throw AppError(
                "no gist given: pass --gist ID or set LEADER_ELECTION_GIST_ID (create one with `leader-election init`)")
        }
        return gistID
    }

    /// The token, or an error telling how to give one.
    func requireToken() throws -> String {
        guard let token else {
            throw AppError(
                "no GitHub token: set LEADER_ELECTION_GITHUB_API_TOKEN or pass --token-file (a token with the gist scope)")
        }
        return token
    }
}

/// Whether `url` names this machine: plain http there does not leave it.
func isLoopback(_ url: URL) -> Bool {
    guard let host = url.host?.lowercased() else { return false }
    return host == "localhost" || host == "::1" || host == "[::1]" || host.wholeMatch(of: /127\.\d+\.\d+\.\d+/) != nil
}
