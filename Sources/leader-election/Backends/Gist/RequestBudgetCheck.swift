import Foundation
import GistLock
import LeaderElection
import Logging

/// Which limits the expected request rate is checked against at start.
enum CheckLimits: String, CaseIterable, Sendable {
    /// GitHub's, when the API is api.github.com; none for other servers (gist-server keeps its own).
    case auto
    /// GitHub's, whatever the server.
    case github
    /// None.
    case off

    /// The limits to check against for this API, or nil for none.
    func limits(apiURL: URL) -> GitHubLimits? {
        switch self {
        case .github: .github
        case .off: nil
        case .auto: apiURL.host?.lowercased() == "api.github.com" ? .github : nil
        }
    }
}

/// Warns at start when the election, at its timings, number of candidates and number of elections on
/// the token, would use more than a safe share of one of GitHub's limits, and names timings that fit.
enum RequestBudgetCheck {
    /// Beyond three quarters of a limit, a burst of retries or a takeover can cross it.
    static let share = GitHubLimits.safeShare

    static func warnIfTooCostly(
        config: LeaderElectionConfig, candidates: Int, elections: Int = 1, gitWrites: Bool = false,
        requestTimeout: Duration = ElectionDefaults.requestTimeout, limits: GitHubLimits?, logger: Logger
    ) {
        guard let limits else {
            logger.debug("request rate not checked against GitHub's limits: the API is not api.github.com (see --check-limits)")
            return
        }
        let budget = GistRequestBudget(config: config, candidates: candidates, gitWrites: gitWrites, elections: elections)
        let lines = budget.exceeds(share: share, of: limits)
        guard !lines.isEmpty else { return }
        let fix = fittingFlags(
            config: config, candidates: candidates, elections: elections, gitWrites: gitWrites,
            requestTimeout: requestTimeout, limits: limits)
        for line in lines {
            logger.warning(
                "expected GitHub request rate too high: \(line); \(fix)",
                metadata: ["candidates": "\(candidates)", "elections": "\(elections)"])
        }
    }

    /// The flags of the shortest whole-second renew interval that fits every limit, with a renew
    /// deadline and lease long enough to keep two retries of a slow renewal, e.g.
    /// "fits with --renew-interval 20s --renew-deadline 40s --lease-duration 55s".
    static func fittingFlags(
        config: LeaderElectionConfig, candidates: Int, elections: Int, gitWrites: Bool, requestTimeout: Duration,
        limits: GitHubLimits
    ) -> String {
        let slow = ElectionDefaults.slowRenewal(requestTimeout: requestTimeout)
        let r = config.retryPeriod
        let start = max(Int(secondsOf(config.renewInterval ?? r).rounded(.up)), 1)
        for seconds in start...3600 {
            let interval = Duration.seconds(seconds)
            var deadline = config.renewDeadline
            var lease = config.leaseDuration
            let needed = interval + r * ElectionDefaults.renewalRetries + slow
            if needed >= deadline {
                deadline = .seconds(Int(secondsOf(needed).rounded(.down)) + 5)
                lease =
                    deadline
                    + max(
                        config.leaseDuration - config.renewDeadline,
                        ElectionDefaults.leaseDuration - ElectionDefaults.renewDeadline)
            }
            guard
                let candidate = try? LeaderElectionConfig(
                    name: config.name, leaseDuration: lease, renewDeadline: deadline, retryPeriod: r, renewInterval: interval)
            else { continue }
            let budget = GistRequestBudget(config: candidate, candidates: candidates, gitWrites: gitWrites, elections: elections)
            guard budget.fits(share: share, of: limits) else { continue }
            var flags = "--renew-interval \(GoDuration(interval))"
            if deadline != config.renewDeadline {
                flags += " --renew-deadline \(GoDuration(deadline)) --lease-duration \(GoDuration(lease))"
            }
            return "fits with \(flags) (two renewal retries kept), or use fewer candidates or elections per token"
        }
        return "use fewer candidates (--candidates) or elections (--elections) per token"
    }

    private static func secondsOf(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
