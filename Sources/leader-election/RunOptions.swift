import ArgumentParser
import Foundation
import LeaderElection

/// The flags of `leader-election run`.
struct RunOptions: ParsableArguments {
    @Option(help: "Identity of this copy, unique per running copy; hailed in the logs. [env: LEADER_ELECTION_ID]")
    var id: String?

    @Option(help: "How long a lease lasts without renewal before others may take it. [env: LEADER_ELECTION_LEASE_DURATION] (default: 30s)")
    var leaseDuration: GoDuration?

    @Option(help: "How long the leader keeps retrying a renewal before it gives up leading. [env: LEADER_ELECTION_RENEW_DEADLINE] (default: 15s)")
    var renewDeadline: GoDuration?

    @Option(help: "How long to wait between attempts, before jitter. [env: LEADER_ELECTION_RETRY_PERIOD] (default: 5s)")
    var retryPeriod: GoDuration?

    @Option(help: "How often the leader writes its renewal, from the start of the last successful one; a failed one is retried a retry period after the start of the failed attempt, until the renew deadline. [env: LEADER_ELECTION_RENEW_INTERVAL] (default: half of what the renew deadline leaves after two retry periods, so two retries fit: 2.5s at the defaults)")
    var renewInterval: GoDuration?

    @Option(help: "How many copies take part, for the expected GitHub request rate checked at start. [env: LEADER_ELECTION_CANDIDATES] (default: 3)")
    var candidates: Int?

    @Option(help: "How long to wait before reading back a takeover, so a simultaneous claimer is noticed.")
    var takeoverSettle: GoDuration = GoDuration(.seconds(1))

    @Option(help: "Address of the HTTP endpoint (/, /leader, /healthz, /readyz, /metrics), e.g. 0.0.0.0:8080; off when not given. [env: LEADER_ELECTION_HTTP]")
    var http: String?
}

/// `RunOptions` after flags, then environment, then defaults were applied and checked.
struct RunSettings: Sendable {
    var identity: String
    var config: LeaderElectionConfig
    var takeoverSettle: Duration
    var candidates: Int
    var http: (host: String, port: Int)?

    init(_ options: RunOptions, election: String, environment: [String: String]) throws {
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
        let lease = try Self.duration(options.leaseDuration, "--lease-duration", "LEADER_ELECTION_LEASE_DURATION", environment) ?? .seconds(30)
        let renew = try Self.duration(options.renewDeadline, "--renew-deadline", "LEADER_ELECTION_RENEW_DEADLINE", environment) ?? .seconds(15)
        let retry = try Self.duration(options.retryPeriod, "--retry-period", "LEADER_ELECTION_RETRY_PERIOD", environment) ?? .seconds(5)
        let interval = try Self.duration(options.renewInterval, "--renew-interval", "LEADER_ELECTION_RENEW_INTERVAL", environment)
            ?? Self.defaultRenewInterval(renewDeadline: renew, retryPeriod: retry)
        try Self.checkBounds(lease: lease, renew: renew, retry: retry, interval: interval)
        do {
            config = try LeaderElectionConfig(
                name: election, leaseDuration: lease, renewDeadline: renew, retryPeriod: retry,
                renewInterval: interval, releaseOnCancel: true)
        } catch {
            throw AppError(
                "invalid timings: \(error) (set --lease-duration, --renew-deadline, --retry-period, --renew-interval)")
        }
        if let flag = options.candidates {
            candidates = flag
        } else if let text = environment.nonEmpty("LEADER_ELECTION_CANDIDATES") {
            guard let value = Int(text) else {
                throw AppError("LEADER_ELECTION_CANDIDATES=\"\(text)\" is not a number: give how many copies take part")
            }
            candidates = value
        } else {
            candidates = 3
        }
        guard candidates >= 1 else {
            throw AppError("--candidates (\(candidates)) must be at least 1: the number of copies that take part")
        }
        takeoverSettle = try options.takeoverSettle.checked("--takeover-settle")
        guard takeoverSettle >= .zero, takeoverSettle < lease else {
            throw AppError("--takeover-settle (\(options.takeoverSettle)) must be at least 0s and shorter than the lease duration")
        }
        if let address = options.http ?? environment.nonEmpty("LEADER_ELECTION_HTTP") {
            http = try Self.address(address)
        }
    }

    /// Retry k of a failed renewal starts at R + k·r after the last success, so two retries and the
    /// last attempt's own time fit when R + 2r + A < D; half of D − 2r leaves the other half for A
    /// (2.5 s each at 15s/5s). Timings too tight for two retries get one: half of D − r.
    static func defaultRenewInterval(renewDeadline: Duration, retryPeriod: Duration) -> Duration {
        let afterTwoRetries = renewDeadline - retryPeriod * 2
        return afterTwoRetries > .zero ? afterTwoRetries / 2 : (renewDeadline - retryPeriod) / 2
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
