public import Logging

/// The stable `event` metadata value of each lifecycle log line, for log pipelines and tests; the
/// message text is for people and keeps client-go's wording. A struct rather than an enum: the set
/// grows (handover added two), and consumers match values, they do not switch over all of them.
public struct ElectionEvent: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The value written under `event`.
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static let acquiring = Self(rawValue: "acquiring")
    public static let acquired = Self(rawValue: "acquired")
    /// A claim that landed too late to lead: its attempt took the whole renew deadline.
    public static let acquiredTooLate = Self(rawValue: "acquired_too_late")
    public static let renewed = Self(rawValue: "renewed")
    /// A renewal failed and will be retried before the renew deadline.
    public static let renewFailed = Self(rawValue: "renew_failed")
    /// A term ended without a shutdown: the renew deadline passed, or the record is no longer ours.
    public static let lost = Self(rawValue: "lost")
    /// The leader stopped renewing because the process is shutting down.
    public static let stopping = Self(rawValue: "stopping")
    public static let released = Self(rawValue: "released")
    /// The leader stopped renewing because a handover was asked for.
    public static let handingOver = Self(rawValue: "handing_over")
    /// The leader wrote the record naming the handover's target.
    public static let handedOver = Self(rawValue: "handed_over")
    public static let newLeader = Self(rawValue: "new_leader")
    public static let startedLeading = Self(rawValue: "started_leading")
    public static let stoppedLeading = Self(rawValue: "stopped_leading")

    /// Every event the library writes, for a log pipeline's list of known values.
    public static let allCases: [Self] = [
        .acquiring, .acquired, .acquiredTooLate, .renewed, .renewFailed, .lost, .stopping, .released, .handingOver,
        .handedOver, .newLeader, .startedLeading, .stoppedLeading,
    ]

    /// The metadata key that carries the event.
    public static let metadataKey = "event"

    /// `metadata` with this event added under `event`.
    public func metadata(_ metadata: Logger.Metadata = [:]) -> Logger.Metadata {
        metadata.merging([Self.metadataKey: .string(rawValue)]) { $1 }
    }
}

extension LeaderElector {
    func log(
        _ level: Logger.Level, _ message: String, event: ElectionEvent, _ metadata: Logger.Metadata = [:],
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        logger.log(
            level: level, "\(message)", metadata: event.metadata(metadata), file: file, function: function, line: line)
    }
}
