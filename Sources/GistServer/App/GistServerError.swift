import Foundation

/// Why the gist server cannot start or keep its state; `description` says what is wrong and how to
/// fix it, in one line. (Answers to HTTP clients are `GitHubAPIError`s instead.)
public struct GistServerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of failure, comparable in tests without matching the text.
    public struct Code: Equatable, Sendable, CustomStringConvertible {
        private enum Value: String, Equatable, Sendable {
            case corruptStateFile, unreadableStateFile, unwritableStateFile, unreadableTokenFile
            case cannotListen, invalidConfiguration, cannotWriteReadyFile
        }
        private let value: Value

        /// The state file exists but does not hold gist-server state.
        public static let corruptStateFile = Code(value: .corruptStateFile)
        /// The state file exists but cannot be read.
        public static let unreadableStateFile = Code(value: .unreadableStateFile)
        /// The state file cannot be written.
        public static let unwritableStateFile = Code(value: .unwritableStateFile)
        /// The token file cannot be read.
        public static let unreadableTokenFile = Code(value: .unreadableTokenFile)
        /// The listening socket cannot be opened.
        public static let cannotListen = Code(value: .cannotListen)
        /// Settings that contradict each other or are out of range.
        public static let invalidConfiguration = Code(value: .invalidConfiguration)
        /// The ready file cannot be written.
        public static let cannotWriteReadyFile = Code(value: .cannotWriteReadyFile)

        /// The code's name.
        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// One line: the problem and the fix.
    public let description: String

    /// Equal when the codes are equal.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    static func corruptStateFile(_ path: String, reason: String) -> Self {
        Self(
            code: .corruptStateFile,
            description:
                "state file \(path) is not valid gist-server state (\(reason)); restore a good copy, "
                + "or move it aside to start with no gists")
    }

    static func unreadableStateFile(_ path: String, reason: String) -> Self {
        Self(
            code: .unreadableStateFile,
            description: "cannot read state file \(path) (\(reason)); check that it is a readable file")
    }

    static func unwritableStateFile(_ path: String, reason: String) -> Self {
        Self(
            code: .unwritableStateFile,
            description:
                "cannot write state file \(path) (\(reason)); check that its directory exists and is writable")
    }

    static func unreadableTokenFile(_ path: String, reason: String) -> Self {
        Self(
            code: .unreadableTokenFile,
            description:
                "cannot read token file \(path) (\(reason)); give a readable file with one token per line")
    }

    /// The listening socket could not be opened; names the address and what to change.
    public static func cannotListen(host: String, port: Int, underlying: any Error) -> Self {
        let text = String(describing: underlying)
        let fix =
            text.localizedCaseInsensitiveContains("address already in use")
            ? "address already in use; stop the process using it or choose another --port (0 picks a free one)"
            : "\(text); check --host and --port"
        return Self(code: .cannotListen, description: "cannot listen on \(host):\(port): \(fix)")
    }

    static func invalidConfiguration(_ problem: String) -> Self {
        Self(code: .invalidConfiguration, description: problem)
    }

    static func cannotWriteReadyFile(_ path: String, reason: String) -> Self {
        Self(
            code: .cannotWriteReadyFile,
            description:
                "cannot write ready file \(path) (\(reason)); check that its directory exists and is writable")
    }
}
