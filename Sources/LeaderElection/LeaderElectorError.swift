/// Misuse of a `LeaderElector` itself, as opposed to its configuration.
public enum LeaderElectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `run()` was called a second time: an elector runs once, so its terms are never reused.
    case alreadyRunning

    public var description: String {
        switch self {
        case .alreadyRunning: "this LeaderElector already ran: create a new one for each run"
        }
    }
}
