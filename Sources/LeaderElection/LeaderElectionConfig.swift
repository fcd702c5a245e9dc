/// The timings and name of one election, checked on creation as client-go's `NewLeaderElector` checks them.
///
/// Candidates wait `leaseDuration` without seeing the record change before they take over; the leader
/// gives up when it could not renew for `renewDeadline`; everybody retries every `retryPeriod`, and the
/// leader renews every `renewInterval` when one is set (every `retryPeriod` otherwise, as client-go).
/// Tolerance to clock *rate* skew is roughly leaseDuration / renewDeadline (50s / 35s tolerates one
/// clock running 1.4 times as fast as another). The defaults are `ElectionDefaults`.
public struct LeaderElectionConfig: Sendable, Equatable {
    /// client-go's JitterFactor: candidates wait retryPeriod plus up to this factor times retryPeriod.
    public static let jitterFactor = 1.2

    /// The election's name: names the lock (a lock may derive its key from it) and labels metrics and health
    /// messages. Default `ElectionDefaults.name`.
    public let name: String
    /// How long candidates wait, measured on their own clock from the last observed change of the
    /// record, before they may take the lease over; also written to the record as whole seconds
    /// (rounded up). Default `ElectionDefaults.leaseDuration` (50 seconds).
    public let leaseDuration: Duration
    /// How long the leader keeps trying to renew, counted from its last successful renewal, before it
    /// stops leading. Must be shorter than `leaseDuration`. Default `ElectionDefaults.renewDeadline` (35 seconds).
    public let renewDeadline: Duration
    /// The pause between attempts to acquire or renew; candidates add a random jitter of up to
    /// 1.2 x this value. Default `ElectionDefaults.retryPeriod` (5 seconds).
    public let retryPeriod: Duration
    /// How often a leader writes its renewal while renewals succeed, counted from the start of the
    /// last successful one. After a failed renewal it retries `retryPeriod` after the start of the failed
    /// attempt (at once if that attempt took longer), until `renewDeadline`, counted from the start of
    /// the last success, has passed. Default `ElectionDefaults.renewInterval` (16 seconds); `nil` renews
    /// every `retryPeriod`, as client-go does. Must be shorter than `renewDeadline`.
    ///
    /// Retry `k` then starts at `renewInterval + k x retryPeriod` after the last success, so `k`
    /// retries fit when `renewInterval + k x retryPeriod + A < renewDeadline`, where `A` is how long
    /// the last attempt takes. Each renewal is one write, so a leader writes `3600 / renewInterval`
    /// times an hour: weigh that against the store's write limits.
    public let renewInterval: Duration?
    /// Whether to write an empty holder when `run()` ends while leading, so a standby takes over
    /// within one retry period instead of a whole lease. Safe only because the elector first waits
    /// for `onStartedLeading` to return; work that outlives it can overlap the next leader.
    /// Default true.
    public let releaseOnCancel: Bool

    /// Checks every rule (client-go's, plus a non-empty name) and throws the first one violated.
    /// - Throws: `LeaderElectionConfigError` naming the rule and the values.
    public init(
        name: String = ElectionDefaults.name,
        leaseDuration: Duration = ElectionDefaults.leaseDuration,
        renewDeadline: Duration = ElectionDefaults.renewDeadline,
        retryPeriod: Duration = ElectionDefaults.retryPeriod,
        renewInterval: Duration? = ElectionDefaults.renewInterval,
        releaseOnCancel: Bool = true
    ) throws(LeaderElectionConfigError) {
        if name.isEmpty { throw .emptyName }
        for (field, value) in [
            ("leaseDuration", leaseDuration), ("renewDeadline", renewDeadline), ("retryPeriod", retryPeriod),
        ] where value <= .zero {
            throw .notPositive(field: field, value: value)
        }
        if leaseDuration <= renewDeadline {
            throw .leaseNotLongerThanRenewDeadline(leaseDuration: leaseDuration, renewDeadline: renewDeadline)
        }
        // 1.2 as the exact ratio 6/5, so that 15s against 5s x 1.2 is decided without rounding noise.
        if renewDeadline <= retryPeriod * 6 / 5 {
            throw .renewDeadlineNotLongerThanJitteredRetry(renewDeadline: renewDeadline, retryPeriod: retryPeriod)
        }
        if let renewInterval {
            if renewInterval <= .zero { throw .notPositive(field: "renewInterval", value: renewInterval) }
            if renewInterval >= renewDeadline {
                throw .renewIntervalNotShorterThanRenewDeadline(renewInterval: renewInterval, renewDeadline: renewDeadline)
            }
        }
        self.name = name
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.renewInterval = renewInterval
        self.releaseOnCancel = releaseOnCancel
    }

    /// The pause after a successful renewal: `renewInterval`, or `retryPeriod` when none is set.
    var renewPeriod: Duration { renewInterval ?? retryPeriod }

    /// `leaseDuration` as the record's whole seconds, rounded up so others never wait less than we assume.
    var leaseDurationSeconds: Int {
        let (seconds, attoseconds) = leaseDuration.components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }
}
