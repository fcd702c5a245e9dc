/// The one definition of the election's defaults. The library's `LeaderElectionConfig`, the app's flags
/// and help, and its `defaults` command read them from here; the chart's values and schema and the
/// flag tables of docs/configuration.md are checked against that command by `Tests/system/test_defaults.py`.
///
/// Chosen together so that one election of three copies stays within 75% of every limit GitHub
/// documents for one user and one gist (the renew interval: 3.75 pushes a minute against the 6
/// recommended, and never more than 4 in any 60 s, where 15 s would put 5 in a window that opens just
/// before a push; 225 writes an hour against 500), and so that a leader whose renewals fail still gets
/// two retries before its renew deadline, even when every request of the last one takes the whole
/// request timeout: `renewInterval + 2 × retryPeriod + 2 × requestTimeout < renewDeadline`
/// (16 + 10 + 5 = 31 < 35 seconds).
public enum ElectionDefaults {
    /// The election's name, which names the lock file `<name>.lock`.
    public static let name = "multi-cluster-leader-election"
    /// How long a lease lasts without renewal before others may take it.
    public static let leaseDuration: Duration = .seconds(50)
    /// How long the leader keeps retrying a renewal before it stops leading.
    public static let renewDeadline: Duration = .seconds(35)
    /// The pause between attempts, before jitter.
    public static let retryPeriod: Duration = .seconds(5)
    /// How often the leader writes its renewal while renewals succeed.
    public static let renewInterval: Duration = .seconds(16)
    /// The limit of each request to the lock's store.
    public static let requestTimeout: Duration = .milliseconds(2500)
    /// The wait before a takeover written by REST is read back.
    public static let takeoverSettle: Duration = .seconds(1)
    /// How many copies take part in one election.
    public static let candidates = 3
    /// How many elections share one user's token.
    public static let elections = 1
    /// Requests in one renewal attempt: git's advertisement and the push, or REST's compare and PATCH.
    public static let requestsPerRenewal = 2
    /// Renewal retries the defaults leave before the renew deadline.
    public static let renewalRetries = 2

    /// The longest a renewal attempt takes when every request takes the whole `requestTimeout`.
    public static func slowRenewal(requestTimeout: Duration) -> Duration {
        requestTimeout * requestsPerRenewal
    }

    /// How many renewal retries fit before the deadline: the largest `k` with `R + k·r + A < D`.
    public static func retriesLeft(
        renewInterval: Duration, renewDeadline: Duration, retryPeriod: Duration, slowAttempt: Duration
    ) -> Int {
        var retries = 0
        while renewInterval + retryPeriod * (retries + 1) + slowAttempt < renewDeadline { retries += 1 }
        return retries
    }

    /// The renew interval when none is given: `renewInterval` when it leaves two retries of a slow
    /// renewal at these timings; otherwise half of what the deadline leaves after two retry periods, or
    /// after one when two do not fit (the budget check at start says what such intervals cost).
    public static func renewInterval(
        renewDeadline: Duration, retryPeriod: Duration, slowAttempt: Duration
    ) -> Duration {
        if renewInterval + retryPeriod * renewalRetries + slowAttempt < renewDeadline { return renewInterval }
        let afterTwoRetries = renewDeadline - retryPeriod * 2
        return afterTwoRetries > .zero ? afterTwoRetries / 2 : (renewDeadline - retryPeriod) / 2
    }
}
