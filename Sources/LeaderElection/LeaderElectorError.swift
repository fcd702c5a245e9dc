/// Misuse of a `LeaderElector` itself, as opposed to its configuration; `description` says what was
/// wrong and what to do instead.
public struct LeaderElectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, for log lines and metrics labels; codes are equal when their names are.
        private let name: String
        public var description: String { name }

        /// `run()` was called while an earlier `run()` of the same elector was still under way.
        public static let alreadyRunning = Code(name: "already running")
        /// `run()` was called after an earlier `run()` of the same elector had ended.
        public static let alreadyRan = Code(name: "already ran")
    }

    /// What was wrong.
    public let code: Code
    /// What was wrong and the fix, in one line.
    public let description: String

    /// A second `run()` while the first is under way.
    public static let alreadyRunning = Self(
        code: .alreadyRunning,
        description: "this LeaderElector is already running: call run() once per elector "
            + "(a ServiceGroup calls it for you, so do not also call it yourself)")

    /// A `run()` after the elector's run ended.
    public static let alreadyRan = Self(
        code: .alreadyRan,
        description: "this LeaderElector already ran and has stopped: an elector runs once, so create a new "
            + "LeaderElector for each run")
}
