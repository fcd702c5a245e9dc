/// A git smart-HTTP exchange that failed: what went wrong, quoting git's own text where git sent one.
public struct GitProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which part of the exchange failed.
    public enum Stage: String, Sendable, Equatable {
        case transport
        case pktLine = "pkt-line"
        case advertisement = "ref advertisement"
        case pack
        case object = "git object"
        case report = "receive-pack report"
        case fetch = "upload-pack"
    }

    /// The part of the exchange that failed.
    public let stage: Stage
    /// What failed and, where there is one, what to change.
    public let message: String

    /// An error in `stage` described by `message`.
    public init(_ stage: Stage, _ message: String) {
        self.stage = stage
        self.message = message
    }

    public var description: String { "git \(stage.rawValue): \(message)" }
}
