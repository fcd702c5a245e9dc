import GistLock
import LeaderElection
import Logging

/// Warns at start when the election, at its timings and number of candidates, would use more than a
/// safe share of GitHub's limits for one token.
enum RequestBudgetCheck {
    /// At the defaults (30s/15s/5s, renew every 10s, 3 candidates) the leader's writes use 72% of the
    /// 500 an hour; beyond three quarters a burst of retries or a second election can cross the limit.
    static let share = 0.75

    static func warnIfTooCostly(config: LeaderElectionConfig, candidates: Int, gitWrites: Bool = false, logger: Logger) {
        let budget = GistRequestBudget(config: config, candidates: candidates, gitWrites: gitWrites)
        for line in budget.exceeds(share: share) {
            logger.warning(
                "expected GitHub request rate too high: \(line); use longer timings (--renew-interval, --retry-period) or fewer candidates per token",
                metadata: ["candidates": "\(candidates)"])
        }
    }
}
