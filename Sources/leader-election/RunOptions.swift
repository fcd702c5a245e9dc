import ArgumentParser
import Foundation
import LeaderElection

/// The flags of `leader-election run`.
struct RunOptions: ParsableArguments {
    @Option(help: "Identity of this copy, unique per running copy; hailed in the logs. [env: LEADER_ELECTION_ID]")
    var id: String?

    @Option(help: "How long a lease lasts without renewal before others may take it. [env: LEADER_ELECTION_LEASE_DURATION] (default: \(GoDuration(ElectionDefaults.leaseDuration)))")
    var leaseDuration: GoDuration?

    @Option(help: "How long the leader keeps retrying a renewal before it gives up leading. [env: LEADER_ELECTION_RENEW_DEADLINE] (default: \(GoDuration(ElectionDefaults.renewDeadline)))")
    var renewDeadline: GoDuration?

    @Option(help: "How long to wait between attempts, before jitter. [env: LEADER_ELECTION_RETRY_PERIOD] (default: \(GoDuration(ElectionDefaults.retryPeriod)))")
    var retryPeriod: GoDuration?

    @Option(help: "How often the leader writes its renewal, from the start of the last successful one; a failed one is retried a retry period after the start of the failed attempt, until the renew deadline. [env: LEADER_ELECTION_RENEW_INTERVAL] (default: \(GoDuration(ElectionDefaults.renewInterval)) when two retries of a renewal that takes twice the request timeout still fit before the renew deadline, as at the defaults; otherwise half of what the renew deadline leaves after two retry periods)")
    var renewInterval: GoDuration?

    @Option(help: "How many copies take part, for the expected GitHub request rate checked at start. [env: LEADER_ELECTION_CANDIDATES] (default: \(ElectionDefaults.candidates))")
    var candidates: Int?

    @Option(help: "How many elections share this token (each with --candidates copies), for the expected GitHub request rate checked at start. [env: LEADER_ELECTION_ELECTIONS] (default: \(ElectionDefaults.elections))")
    var elections: Int?

    @Option(help: "Which limits the expected request rate is checked against at start: github (GitHub's documented limits), off, or auto (github when the API URL is api.github.com, off for other servers such as gist-server). [env: LEADER_ELECTION_CHECK_LIMITS] (default: auto)")
    var checkLimits: String?

    @Option(help: "How long to wait before reading back a takeover, so a simultaneous claimer is noticed. [env: LEADER_ELECTION_TAKEOVER_SETTLE] (default: \(GoDuration(ElectionDefaults.takeoverSettle)))")
    var takeoverSettle: GoDuration?

    @Option(help: "Address of the HTTP endpoint (/, /leader, /healthz, /readyz, /metrics), e.g. 0.0.0.0:8080; off when not given. [env: LEADER_ELECTION_HTTP]")
    var http: String?

    @Option(help: "A file that holds the current term while this copy leads, written atomically and removed the moment it stops leading, so a workload beside it can fence without HTTP. [env: LEADER_ELECTION_LEADER_FILE]")
    var leaderFile: String?

    @Flag(help: "Accept POST /handover from any address, not only from loopback. [env: LEADER_ELECTION_ALLOW_REMOTE_HANDOVER=true]")
    var allowRemoteHandover = false
}

/// `RunOptions` after flags, then environment, then defaults were applied and checked.
struct RunSettings: Sendable {
    var identity: String
    var config: LeaderElectionConfig
    var takeoverSettle: Duration
    var candidates: Int
    var elections: Int
    var checkLimits: CheckLimits
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
        let lease = try Self.duration(options.leaseDuration, "--lease-duration", "LEADER_ELECTION_LEASE_DURATION", environment) ?? ElectionDefaults.leaseDuration
        let renew = try Self.duration(options.renewDeadline, "--renew-deadline", "LEADER_ELECTION_RENEW_DEADLINE", environment) ?? ElectionDefaults.renewDeadline
        let retry = try Self.duration(options.retryPeriod, "--retry-period", "LEADER_ELECTION_RETRY_PERIOD", environment) ?? ElectionDefaults.retryPeriod
        let interval = try Self.duration(options.renewInterval, "--renew-interval", "LEADER_ELECTION_RENEW_INTERVAL", environment)
            ?? ElectionDefaults.renewInterval(
                renewDeadline: renew, retryPeriod: retry, slowAttempt: ElectionDefaults.slowRenewal(requestTimeout: requestTimeout))
        try Self.checkBounds(lease: lease, renew: renew, retry: retry, interval: interval)
        do {
            config = try LeaderElectionConfig(
                name: election, leaseDuration: lease, renewDeadline: renew, retryPeriod: retry,
                renewInterval: interval, releaseOnCancel: true)
        } catch {
            throw AppError(
                "invalid timings: \(error) (set --lease-duration, --renew-deadline, --retry-period, --renew-interval)")
        }
        candidates = try Self.count(
            options.candidates, "LEADER_ELECTION_CANDIDATES", environment, "how many copies take part")
            ?? ElectionDefaults.candidates
        guard candidates >= 1 else {
            throw AppError("--candidates (\(candidates)) must be at least 1: the number of copies that take part")
        }
        elections = try Self.count(
            options.elections, "LEADER_ELECTION_ELECTIONS", environment, "how many elections share the token")
            ?? ElectionDefaults.elections
        guard elections >= 1 else {
            throw AppError("--elections (\(elections)) must be at least 1: the number of elections that share the token")
        }
        let checkText = options.checkLimits ?? environment.nonEmpty("LEADER_ELECTION_CHECK_LIMITS") ?? CheckLimits.auto.rawValue
        guard let check = CheckLimits(rawValue: checkText) else {
            throw AppError("invalid --check-limits \"\(checkText)\": give auto, github or off (or LEADER_ELECTION_CHECK_LIMITS)")
        }
        checkLimits = check
        takeoverSettle = try Self.duration(options.takeoverSettle, "--takeover-settle", "LEADER_ELECTION_TAKEOVER_SETTLE", environment)
            ?? ElectionDefaults.takeoverSettle
        guard takeoverSettle >= .zero, takeoverSettle < lease else {
            throw AppError("--takeover-settle (\(GoDuration(takeoverSettle))) must be at least 0s and shorter than the lease duration")
        }
        if let address = options.http ?? environment.nonEmpty("LEADER_ELECTION_HTTP") {
            http = try Self.address(address)
        }
        (leaderFile, allowRemoteHandover) = try Self.handover(options, environment)
    }

    private static func count(
        _ flag: Int?, _ variable: String, _ environment: [String: String], _ meaning: String
    ) throws -> Int? {
        if let flag { return flag }
        guard let text = environment.nonEmpty(variable) else { return nil }
        guard let value = Int(text) else {
            throw AppError("\(variable)=\"\(text)\" is not a number: give \(meaning)")
        }
        return value
    }

    /// The shortest retry period and renew interval: shorter ones would make a copy hammer the store
    /// (README, "Bad input"); the demo's and the tests' timings are above it.
    static let shortestRetry = Duration.milliseconds(250)
    /// The shortest lease: shorter ones renew faster than the shortest retry allows.
    static let shortestLease = Duration.seconds(1)
    /// The longest timing: a week, far above any sensible lease, and far below what clocks can add up.
    static let longestTiming = Duration.seconds(7 * 24 * 3600)

    private static func checkBounds(lease: Duration, renew: Duration, retry: Duration, interval: Duration) throws {
        let timings = [("--lease-duration", lease), ("--renew-deadline", renew), ("--retry-period", retry), ("--renew-interval", interval)]
        for (flag, value) in timings where value > longestTiming {
            throw AppError("\(flag) \(GoDuration.format(value)) is too long: timings are at most \(GoDuration.format(longestTiming))")
        }
        for (flag, value) in [("--retry-period", retry), ("--renew-interval", interval)] where value > .zero && value < shortestRetry {
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

    private static func duration(
        _ flag: GoDuration?, _ name: String, _ variable: String, _ environment: [String: String]
    ) throws -> Duration? {
        if let flag { return try flag.checked(name) }
        guard let text = environment.nonEmpty(variable) else { return nil }
        switch GoDuration.read(text) {
        case .duration(let duration): return duration
        case .outOfRange: throw AppError("\(variable)=\"\(text)\" is out of range: \(GoDuration.rangeAdvice)")
        case .malformed: throw AppError("\(variable)=\"\(text)\" is not a duration: write it like 30s, 1m30s or 500ms")
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
