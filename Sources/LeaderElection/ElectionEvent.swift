public import Logging

/// The stable `event` metadata value of each lifecycle log line, for log pipelines and tests; the
/// message text is for people and keeps client-go's wording.
public enum ElectionEvent: String, Sendable, CaseIterable {
    case acquiring
    case acquired
    /// A claim that landed too late to lead: its attempt took the whole renew deadline.
    case acquiredTooLate = "acquired_too_late"
    case renewed
    /// A renewal failed and will be retried before the renew deadline.
    case renewFailed = "renew_failed"
    /// A term ended without a shutdown: the renew deadline passed, or the record is no longer ours.
    case lost
    /// The leader stopped renewing because the process is shutting down.
    case stopping
    case released
    /// The leader stopped renewing because a handover was asked for.
    case handingOver = "handing_over"
    /// The leader wrote the record naming the handover's target.
    case handedOver = "handed_over"
    case newLeader = "new_leader"
    case startedLeading = "started_leading"
    case stoppedLeading = "stopped_leading"

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
