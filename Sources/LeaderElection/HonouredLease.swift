import Logging

extension LeaderElectionConfig {
    /// The longest lease honoured in a record written by another copy: 10 x `leaseDuration` (5 minutes
    /// at the default 30s). A record claiming more (corrupt content, or 10^12 seconds written by hand)
    /// would otherwise block the election for as long as it claims. A live holder changes the record at
    /// least once per its own renewDeadline, and expiry counts from the last observed change, so the cap
    /// only shortens the wait for a holder that stopped renewing, unless copies of one election run
    /// timings more than ten times apart (they should share timings).
    public var longestHonouredLease: Duration { leaseDuration * 10 }

    /// What a record's `leaseDurationSeconds` is worth: zero for zero or less (expired at once), at
    /// most `longestHonouredLease`. (`Duration` holds any `Int` of seconds, so nothing here overflows.)
    func honouredLease(seconds: Int) -> Duration {
        min(.seconds(max(seconds, 0)), longestHonouredLease)
    }
}

extension LeaderElector {
    /// The lease `record` is granted from our observation of it, warning once per odd value seen.
    func honouredLease(of record: LeaderElectionRecord) -> Duration {
        let seconds = record.leaseDurationSeconds
        let lease = config.honouredLease(seconds: seconds)
        if seconds <= 0 || .seconds(seconds) > lease, logMemory.warnedLeaseSeconds != seconds {
            logMemory.warnedLeaseSeconds = seconds
            let meaning =
                seconds <= 0
                ? "treated as expired"
                : "honoured for at most \(config.longestHonouredLease.text) (10 x leaseDuration)"
            logger.warning(
                "lease record of \(record.holderIdentity) has leaseDurationSeconds \(seconds), \(meaning)",
                metadata: ["holder": "\(record.holderIdentity)"])
        }
        return lease
    }
}
