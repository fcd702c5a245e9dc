public import LeaderElection

/// GitHub requests an hour of each kind, for one role or for all candidates together.
public struct GistRequestRate: Sendable, Equatable {
    /// Reads answered 200, counted against the primary limit.
    public var countedReads: Double
    /// Conditional reads answered 304, which GitHub does not count.
    public var notModifiedReads: Double
    /// PATCHes, counted against the primary limit and the content-creation limits.
    public var writes: Double

    /// A rate, in requests an hour.
    public init(countedReads: Double, notModifiedReads: Double, writes: Double) {
        self.countedReads = countedReads
        self.notModifiedReads = notModifiedReads
        self.writes = writes
    }

    /// Requests counted against the primary limit: counted reads plus writes.
    public var counted: Double { countedReads + writes }
    /// Every request sent, 304s included.
    public var requests: Double { countedReads + notModifiedReads + writes }

    static let zero = Self(countedReads: 0, notModifiedReads: 0, writes: 0)

    static func + (lhs: Self, rhs: Self) -> Self {
        Self(
            countedReads: lhs.countedReads + rhs.countedReads, notModifiedReads: lhs.notModifiedReads + rhs.notModifiedReads,
            writes: lhs.writes + rhs.writes)
    }

    static func * (rate: Self, factor: Double) -> Self {
        Self(
            countedReads: rate.countedReads * factor, notModifiedReads: rate.notModifiedReads * factor,
            writes: rate.writes * factor)
    }
}

/// The GitHub requests an election over a `GistLock` makes in steady state (one leader renewing, the
/// other candidates following), computed from its timings: a pure model of the lock's request pattern,
/// for a warning at start and for comparison with measured figures.
///
/// - The leader renews 3600 / renewPeriod times an hour (renewPeriod: renewInterval, or retryPeriod
///   when none is set). A renewal is the lock's compare-before-write read, a 304 because the lock kept
///   the ETag of its own last PATCH, then one PATCH; the elector reads nothing first (its fast path).
/// - A follower attempts 3600 / (retryPeriod x (1 + 1.2 x jitter)) times an hour; jitter 0 (the
///   default) gives the most attempts, so the figures are a ceiling, and 0.5 gives the mean of
///   client-go's uniform jitter. An attempt is one conditional GET: a counted 200 when the record
///   changed since the follower's last read (at most once per leader renewal and once per attempt),
///   a 304 otherwise. Followers never write while the lease is held.
/// - Takeovers (create or overwrite, plus a read-back after the settle time), releases and failed
///   attempts are rare and left out.
/// - With git writes the leader's renewal is a push (an advertisement GET and a receive-pack POST,
///   which GitHub does not count against the REST limits) and sends no REST request at all; GitHub
///   recommends at most 6 pushes a minute to one repository, and each gist is one.
/// - Several elections on one user's token (`elections`, each with `candidates` copies) share the
///   user's REST limits; each is assumed to keep its lock in a gist of its own.
/// Should GitHub's ETag for a PATCH answer ever differ from the one a GET of the same gist gets, the
/// leader's first read after each renewal would be a counted 200: one counted read per renewal more.
public struct GistRequestBudget: Sendable, Equatable {
    /// How many copies take part (at least 1: the leader).
    public let candidates: Int
    /// The leader's renewals an hour.
    public let renewalsPerHour: Double
    /// One follower's attempts an hour.
    public let followerAttemptsPerHour: Double
    /// The leader's requests an hour.
    public let leader: GistRequestRate
    /// One follower's requests an hour.
    public let follower: GistRequestRate
    /// All candidates' requests an hour, which share one token.
    public let total: GistRequestRate
    /// The leader's pushes an hour (0 with REST writes); each is two git requests.
    public let pushesPerHour: Double
    /// How many elections share the user's token.
    public let elections: Int
    /// All elections' requests an hour on the user's token: `total` times `elections`.
    public var userTotal: GistRequestRate { total * Double(elections) }
    /// Pushes a minute to the election's gist, on average.
    public var pushesPerMinute: Double { pushesPerHour / 60 }
    /// Pushes in the busiest 60 s: GitHub does not say whether its minute is a sliding window, and one
    /// that starts on a push and ends on one holds ⌊60 / renewPeriod⌋ + 1 (15s: 5, as `make bench`
    /// measured, although the mean is 4).
    public let pushesInBusiestMinute: Int
    /// Git requests a second to the election's gist (the advertisement and the push of each renewal).
    public var gitRequestsPerSecond: Double { pushesPerHour * 2 / 3600 }

    /// Computes the budget.
    /// - Parameters:
    ///   - config: the election's timings.
    ///   - candidates: how many copies take part; values below 1 count as 1.
    ///   - jitter: the assumed jitter draw, clamped to 0...1; 0 gives the ceiling, 0.5 the mean.
    ///   - gitWrites: whether the lock writes by git pushes instead of PATCHes.
    ///   - elections: how many elections like this one share the user's token; values below 1 count as 1.
    public init(
        config: LeaderElectionConfig, candidates: Int, jitter: Double = 0, gitWrites: Bool = false, elections: Int = 1
    ) {
        self.candidates = max(candidates, 1)
        self.elections = max(elections, 1)
        let renewPeriod = (config.renewInterval ?? config.retryPeriod).timeInterval
        let attemptPeriod =
            config.retryPeriod.timeInterval
            * (1 + LeaderElectionConfig.jitterFactor * min(max(jitter, 0), 1))
        renewalsPerHour = 3600 / renewPeriod
        followerAttemptsPerHour = 3600 / attemptPeriod
        leader = gitWrites ? .zero : GistRequestRate(countedReads: 0, notModifiedReads: renewalsPerHour, writes: renewalsPerHour)
        pushesPerHour = gitWrites ? renewalsPerHour : 0
        pushesInBusiestMinute = gitWrites ? Int((60 / renewPeriod).rounded(.down)) + 1 : 0
        let changesSeen = min(followerAttemptsPerHour, renewalsPerHour)
        follower = GistRequestRate(
            countedReads: changesSeen, notModifiedReads: followerAttemptsPerHour - changesSeen, writes: 0)
        total = leader + follower * Double(self.candidates - 1)
    }

    /// One line per limit that the total exceeds once only `share` (0...1) of it may be used, naming
    /// the limit and by how much it is exceeded; empty when all fit.
    public func exceeds(share: Double, of limits: GitHubLimits = .github) -> [String] {
        var lines: [String] = []
        func check(_ what: String, _ rate: Double, per unit: String, limit: Int) {
            let allowed = Double(limit) * share
            guard rate > allowed else { return }
            lines.append(
                "\(what): \(Self.number(rate))/\(unit) expected, \(Self.percent(rate / Double(limit))) of GitHub's "
                    + "\(limit)/\(unit), over the \(Self.percent(share)) allowed (\(Self.number(allowed))/\(unit)) "
                    + "by \(Self.number(rate - allowed))/\(unit)")
        }
        let user = userTotal
        let whose = elections > 1 ? "the leaders' writes, \(elections) elections" : "the leader's writes"
        check(
            "primary rate limit (\(Self.number(user.countedReads)) counted reads + \(Self.number(user.writes)) writes"
                + (elections > 1 ? " of \(elections) elections" : "") + "; 304s are free)",
            user.counted, per: "h", limit: limits.primaryPerHour)
        check(
            "content-creation limit (\(whose))", user.writes / 60, per: "min",
            limit: limits.contentCreationPerMinute)
        check(
            "content-creation limit (\(whose))", user.writes, per: "h",
            limit: limits.contentCreationPerHour)
        check(
            "pushes to one gist (the leader's renewals, in the busiest 60 s)", Double(pushesInBusiestMinute),
            per: "min", limit: limits.pushesPerMinutePerRepository)
        check(
            "git requests to one gist", gitRequestsPerSecond, per: "s",
            limit: limits.gitReadsPerSecondPerRepository)
        return lines
    }

    /// Whether every limit fits once only `share` of it may be used.
    public func fits(share: Double, of limits: GitHubLimits = .github) -> Bool { exceeds(share: share, of: limits).isEmpty }

    /// Whole numbers as such, others with one decimal: "360", "7.5".
    static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? "\(Int(tenths / 10))" : "\(tenths / 10)"
    }

    static func percent(_ fraction: Double) -> String { "\(number(fraction * 100))%" }
}
