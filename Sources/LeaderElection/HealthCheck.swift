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
    /// concerned with a hot standby); a leader is unhealthy once its last observed renewal is older
    /// than leaseDuration + tolerance.
    static func evaluate(
        election: String, isLeader: Bool, sinceObserved: Duration?, leaseDuration: Duration, tolerance: Duration
    ) -> Self {
        guard isLeader, let sinceObserved else {
            return Self(isHealthy: true, message: "not leading election \(election)")
        }
        let limit = leaseDuration + tolerance
        guard sinceObserved > limit else {
            return Self(isHealthy: true, message: "leading election \(election), renewed \(sinceObserved.text) ago")
        }
        return Self(
            isHealthy: false,
            message: "failed election to renew leadership on lease \(election): last renewal \(sinceObserved.text) ago "
                + "exceeds leaseDuration (\(leaseDuration.text)) + tolerance (\(tolerance.text)) by "
                + "\((sinceObserved - limit).text); the elector is stuck, restart the process")
    }
}

extension LeaderElector {
    /// client-go's `HealthzAdaptor.Check`: unhealthy when leading and the lease was last renewed more
    /// than `leaseDuration + maxTolerableExpiredLease` ago; healthy otherwise.
    public func healthCheck(maxTolerableExpiredLease: Duration) -> HealthCheckResult {
        HealthCheckResult.evaluate(
            election: config.name, isLeader: leading, sinceObserved: observedTime.map { time.now() - $0 },
            leaseDuration: config.leaseDuration, tolerance: maxTolerableExpiredLease)
    }
}
