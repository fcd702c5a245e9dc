/// The answer of `LeaderElector.healthCheck`, with client-go's HealthzAdaptor meaning.
public struct HealthCheckResult: Sendable, Equatable, CustomStringConvertible {
    /// False only when this process leads but has not renewed for longer than the lease plus the
    /// tolerance: it should have stopped leading by itself, so something is stuck; restart it.
    public var isHealthy: Bool
    /// One line for the health endpoint's body.
    public var message: String

    /// Creates a result.
    public init(isHealthy: Bool, message: String) {
        self.isHealthy = isHealthy
        self.message = message
    }

    public var description: String { message }

    /// The rule, apart from the actor: a standby is always healthy (as client-go, which is not
    /// concerned with a hot standby); so is a leader within its renew deadline, and one past it that
    /// is about to stand down (it no longer says it leads); a leader whose last renewal is older than
    /// leaseDuration + tolerance is stuck.
    static func evaluate(
        election: String, sinceRenewal: Duration?, renewDeadline: Duration, leaseDuration: Duration,
        tolerance: Duration
    ) -> Self {
        guard let sinceRenewal else {
            return Self(isHealthy: true, message: "not leading election \(election)")
        }
        if sinceRenewal < renewDeadline {
            return Self(isHealthy: true, message: "leading election \(election), renewed \(sinceRenewal.text) ago")
        }
        let limit = leaseDuration + tolerance
        guard sinceRenewal > limit else {
            return Self(
                isHealthy: true,
                message: "not leading election \(election): no renewal for \(sinceRenewal.text), past the renew "
                    + "deadline (\(renewDeadline.text)); standing down")
        }
        return Self(
            isHealthy: false,
            message: "failed election to renew leadership on lease \(election): last renewal \(sinceRenewal.text) ago "
                + "exceeds leaseDuration (\(leaseDuration.text)) + tolerance (\(tolerance.text)) by "
                + "\((sinceRenewal - limit).text); the elector is stuck, restart the process")
    }
}

extension LeaderElector {
    /// client-go's `HealthzAdaptor.Check`: unhealthy when this copy still counts itself leader but
    /// last renewed more than `leaseDuration + maxTolerableExpiredLease` ago; healthy otherwise.
    /// The message also says why this copy last stood down ("taken: ..." or "cut off: ...") and what
    /// the lock's last failed call said while none has succeeded since ("throttled: ... until ..."):
    /// the answer's status keeps client-go's meaning, so a lost lease never fails a liveness probe.
    public func healthCheck(maxTolerableExpiredLease: Duration) -> HealthCheckResult {
        let now = time.now()
        var result = HealthCheckResult.evaluate(
            election: config.name, sinceRenewal: phase.lastRenewal.map { now - $0 },
            renewDeadline: config.renewDeadline, leaseDuration: config.leaseDuration,
            tolerance: maxTolerableExpiredLease)
        if let lastLockError { result.message += "; last lock call failed (\(lastLockError))" }
        if let lastStandDown { result.message += "; last stood down: \(lastStandDown)" }
        return result
    }
}
