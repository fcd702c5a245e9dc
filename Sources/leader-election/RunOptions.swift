import ArgumentParser
import Foundation
import LeaderElection
import TextEscaping

/// The flags of `leader-election run` that every lock shares.
struct RunOptions: ParsableArguments {
    @Option(help: "Identity of this copy, unique per running copy; hailed in the logs. [env: LEADER_ELECTION_ID]")
    var id: String?

    @Option(
        help:
            "How long a lease lasts without renewal before others may take it. [env: LEADER_ELECTION_LEASE_DURATION] (default: \(GoDuration(ElectionDefaults.leaseDuration)))"
    )
    var leaseDuration: GoDuration?

    @Option(
        help:
            "How long the leader keeps retrying a renewal before it gives up leading. [env: LEADER_ELECTION_RENEW_DEADLINE] (default: \(GoDuration(ElectionDefaults.renewDeadline)))"
    )
    var renewDeadline: GoDuration?

    @Option(
        help:
            "How long to wait between attempts, before jitter. [env: LEADER_ELECTION_RETRY_PERIOD] (default: \(GoDuration(ElectionDefaults.retryPeriod)))"
    )
    var retryPeriod: GoDuration?

    @Option(
        help:
            "How often the leader writes its renewal, from the start of the last successful one; a failed one is retried a retry period after the start of the failed attempt, until the renew deadline. [env: LEADER_ELECTION_RENEW_INTERVAL] (default: \(GoDuration(ElectionDefaults.renewInterval)) when two retries of a renewal that takes twice the request timeout still fit before the renew deadline, as at the defaults; otherwise half of what the renew deadline leaves after two retry periods)"
    )
    var renewInterval: GoDuration?

    @Option(
        help:
            "Address of the HTTP endpoint (/, /leader, /healthz, /readyz, /metrics), e.g. 0.0.0.0:8080; off when not given. [env: LEADER_ELECTION_HTTP]"
    )
    var http: String?

    @Option(
        help:
            "A file that holds the current term while this copy leads, written atomically and removed the moment it stops leading, so a workload beside it can fence without HTTP. [env: LEADER_ELECTION_LEADER_FILE]"
    )
    var leaderFile: String?

    @Flag(
        help: "Accept POST /handover from any address, not only from loopback. [env: LEADER_ELECTION_ALLOW_REMOTE_HANDOVER=true]")
    var allowRemoteHandover = false
}

/// `RunOptions` after flags, then environment, then defaults were applied and checked.
struct RunSettings: Sendable {
    var identity: String
    var config: LeaderElectionConfig
    var http: (host: String, port: Int)?
    var leaderFile: LeaderFile?
    var allowRemoteHandover = false

    init(
        _ options: RunOptions, election: String, requestTimeout: Duration = ElectionDefaults.requestTimeout,
        environment: [String: String]
    ) throws {
        guard let identity = options.id ?? environment.nonEmpty("LEADER_ELECTION_ID") else {
            throw AppError("no identity: pass --id NAME or set LEADER_ELECTION_ID (unique per running copy)")
        }
        guard !identity.isEmpty else {
            throw AppError("empty identity: pass --id NAME (or LEADER_ELECTION_ID) with a name unique per running copy")
        }
        guard identity.isPrintable, identity.count <= 128 else {
            throw AppError("invalid identity: use printable text of at most 128 characters for --id, without control characters")
        }
        self.identity = identity
        let lease =
            try GoDuration.setting(options.leaseDuration, "--lease-duration", "LEADER_ELECTION_LEASE_DURATION", environment)
            ?? ElectionDefaults.leaseDuration
        let renew =
            try GoDuration.setting(options.renewDeadline, "--renew-deadline", "LEADER_ELECTION_RENEW_DEADLINE", environment)
            ?? ElectionDefaults.renewDeadline
        let retry =
            try GoDuration.setting(options.retryPeriod, "--retry-period", "LEADER_ELECTION_RETRY_PERIOD", environment)
            ?? ElectionDefaults.retryPeriod
        let interval =
            try GoDuration.setting(options.renewInterval, "--renew-interval", "LEADER_ELECTION_RENEW_INTERVAL", environment)
            ?? ElectionDefaults.renewInterval(
                renewDeadline: renew, retryPeriod: retry,
                slowAttempt: ElectionDefaults.slowRenewal(requestTimeout: requestTimeout))
        try Self.checkBounds(lease: lease, renew: renew, retry: retry, interval: interval)
        do {
            config = try LeaderElectionConfig(
                name: election, leaseDuration: lease, renewDeadline: renew, retryPeriod: retry,
                renewInterval: interval, releaseOnCancel: true)
        } catch {
            throw AppError(
                "invalid timings: \(error) (set --lease-duration, --renew-deadline, --retry-period, --renew-interval)")
        }
        if let address = options.http ?? environment.nonEmpty("LEADER_ELECTION_HTTP") {
            http = try Self.address(address)
        }
        (leaderFile, allowRemoteHandover) = try Self.handover(options, environment)
    }

    /// The shortest retry period and renew interval: shorter ones would make a copy hammer the store
    /// (docs/bad-input.md); the demo's and the tests' timings are above it.
    static let shortestRetry = Duration.milliseconds(250)
    /// The shortest lease: shorter ones renew faster than the shortest retry allows.
    static let shortestLease = Duration.seconds(1)
    /// The longest timing: a week, far above any sensible lease, and far below what clocks can add up.
    static let longestTiming = Duration.seconds(7 * 24 * 3600)

    private static func checkBounds(lease: Duration, renew: Duration, retry: Duration, interval: Duration) throws {
        let timings = [
            ("--lease-duration", lease), ("--renew-deadline", renew), ("--retry-period", retry), ("--renew-interval", interval),
        ]
        for (flag, value) in timings where value > longestTiming {
            throw AppError(
                "\(flag) \(GoDuration.format(value)) is too long: timings are at most \(GoDuration.format(longestTiming))")
        }
        for (flag, value) in [("--retry-period", retry), ("--renew-interval", interval)]
        where value > .zero && value < shortestRetry {
            throw AppError(
                "\(flag) \(GoDuration.format(value)) is too short: at least \(GoDuration.format(shortestRetry)), "
                    + "so that a copy does not hammer the gist with requests")
        }
        if lease > .zero && lease < shortestLease {
            throw AppError(
                "--lease-duration \(GoDuration.format(lease)) is too short: at least \(GoDuration.format(shortestLease)), "
                    + "so that a copy does not hammer the gist with requests")
        }
    }

    /// Splits "host:port" (or ":port", meaning all interfaces).
    static func address(_ text: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw AppError("invalid HTTP address \"\(text)\": write HOST:PORT, e.g. 0.0.0.0:8080 or 127.0.0.1:0")
        }
        let host = String(text[..<colon])
        return (host.isEmpty ? "0.0.0.0" : host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }
}
