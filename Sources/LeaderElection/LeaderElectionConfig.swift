/// The timings and name of one election, checked on creation as client-go's `NewLeaderElector` checks them.
///
/// Candidates wait `leaseDuration` without seeing the record change before they take over; the leader
/// gives up when it could not renew for `renewDeadline`; everybody retries every `retryPeriod`.
/// Tolerance to clock *rate* skew is roughly leaseDuration / renewDeadline (30s / 15s tolerates one
/// clock running twice as fast as another).
public struct LeaderElectionConfig: Sendable, Equatable {
    /// client-go's JitterFactor: candidates wait retryPeriod plus up to this factor times retryPeriod.
    public static let jitterFactor = 1.2

    /// The election's name: names the lock (`<name>.lock` in a gist) and labels metrics and health
    /// messages. Default "multi-cluster-leader-election".
    public let name: String
    /// How long candidates wait, measured on their own clock from the last observed change of the
    /// record, before they may take the lease over; also written to the record as whole seconds
    /// (rounded up). Default 30 seconds.
    public let leaseDuration: Duration
    /// How long the leader keeps trying to renew, counted from its last successful renewal, before it
    /// stops leading. Must be shorter than `leaseDuration`. Default 15 seconds.
    public let renewDeadline: Duration
    /// The pause between attempts to acquire or renew; candidates add a random jitter of up to
    /// 1.2 x this value. Default 5 seconds.
    public let retryPeriod: Duration
    /// Whether to write an empty holder when `run()` ends while leading, so a standby takes over
    /// within one retry period instead of a whole lease. Safe only because the elector first waits
    /// for `onStartedLeading` to return; work that outlives it can overlap the next leader.
    /// Default true.
    public let releaseOnCancel: Bool

    /// Checks every rule (client-go's, plus a non-empty name) and throws the first one violated.
    /// - Throws: `LeaderElectionConfigError` naming the rule and the values.
    public init(
        name: String = "multi-cluster-leader-election",
        leaseDuration: Duration = .seconds(30),
        renewDeadline: Duration = .seconds(15),
        retryPeriod: Duration = .seconds(5),
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
        self.name = name
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }

    /// `leaseDuration` as the record's whole seconds, rounded up so others never wait less than we assume.
    var leaseDurationSeconds: Int {
        let (seconds, attoseconds) = leaseDuration.components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }
}
