/// Misuse of a `LeaderElector` itself, as opposed to its configuration; `description` says what was
/// wrong and what to do instead.
public struct LeaderElectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case alreadyRunning, alreadyRan }
        private let base: Base
        /// `run()` was called while an earlier `run()` of the same elector was still under way.
        public static let alreadyRunning = Code(base: .alreadyRunning)
        /// `run()` was called after an earlier `run()` of the same elector had ended.
        public static let alreadyRan = Code(base: .alreadyRan)

        public var description: String {
            switch base {
            case .alreadyRunning: "already running"
            case .alreadyRan: "already ran"
            }
        }
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
