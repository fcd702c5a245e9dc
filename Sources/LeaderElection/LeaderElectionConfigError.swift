/// A `LeaderElectionConfig` rule that the given values break; `description` names the rule, the values
/// and the fix.
public struct LeaderElectionConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which rule was broken.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, for log lines and metrics labels; codes are equal when their names are.
        private let name: String
        public var description: String { name }

        /// The election name is empty.
        public static let emptyName = Code(name: "empty name")
        /// The lock's identity is empty (found by `LeaderElector.run()`, as client-go's constructor finds it).
        public static let emptyIdentity = Code(name: "empty identity")
        /// A duration is zero or negative.
        public static let notPositive = Code(name: "duration not positive")
        /// leaseDuration is not greater than renewDeadline.
        public static let leaseNotLongerThanRenewDeadline = Code(name: "leaseDuration not greater than renewDeadline")
        /// renewDeadline is not greater than 1.2 x retryPeriod.
        public static let renewDeadlineNotLongerThanJitteredRetry = Code(name: "renewDeadline not greater than 1.2 x retryPeriod")
        /// renewInterval is not shorter than renewDeadline.
        public static let renewIntervalNotShorterThanRenewDeadline = Code(name: "renewInterval not shorter than renewDeadline")
    }

    /// The rule that was broken.
    public let code: Code
    /// The rule, the values and the fix, in one line.
    public let description: String

    static let emptyName = Self(
        code: .emptyName,
        description: "election name must not be empty: give a name such as multi-cluster-leader-election")

    static let emptyIdentity = Self(
        code: .emptyIdentity,
        description: "the lock's identity must not be empty: give each copy a unique identity such as its host name")

    static func notPositive(field: String, value: Duration) -> Self {
        Self(
            code: .notPositive,
            description: "\(field) (\(value.text)) must be greater than zero: give a positive duration")
    }

    static func leaseNotLongerThanRenewDeadline(leaseDuration: Duration, renewDeadline: Duration) -> Self {
        Self(
            code: .leaseNotLongerThanRenewDeadline,
            description: "leaseDuration (\(leaseDuration.text)) must be greater than "
                + "renewDeadline (\(renewDeadline.text)): raise leaseDuration or lower renewDeadline")
    }

    static func renewDeadlineNotLongerThanJitteredRetry(renewDeadline: Duration, retryPeriod: Duration) -> Self {
        Self(
            code: .renewDeadlineNotLongerThanJitteredRetry,
            description: "renewDeadline (\(renewDeadline.text)) must be greater than 1.2 x retryPeriod "
                + "(1.2 x \(retryPeriod.text) = \((retryPeriod * 6 / 5).text)): "
                + "raise renewDeadline or lower retryPeriod")
    }

    static func renewIntervalNotShorterThanRenewDeadline(renewInterval: Duration, renewDeadline: Duration) -> Self {
        Self(
            code: .renewIntervalNotShorterThanRenewDeadline,
            description: "renewInterval (\(renewInterval.text)) must be shorter than renewDeadline "
                + "(\(renewDeadline.text)), or the leader gives up before it renews: "
                + "lower renewInterval or raise renewDeadline")
    }
}
