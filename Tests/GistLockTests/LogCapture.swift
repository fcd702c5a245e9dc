import Logging

/// A log line as a test sees it.
struct LoggedLine: Sendable {
    var level: Logger.Level
    var message: String
    var metadata: Logger.Metadata
}

/// A `LogHandler` that forwards every line into an `AsyncStream`, so tests read what a lock logged.
struct StreamingLogHandler: LogHandler {
    let continuation: AsyncStream<LoggedLine>.Continuation
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        continuation.yield(LoggedLine(level: event.level, message: "\(event.message)", metadata: merged))
    }

    /// A logger writing into a fresh stream, and that stream.
    static func logger() -> (Logger, AsyncStream<LoggedLine>) {
        let (stream, continuation) = AsyncStream<LoggedLine>.makeStream()
        return (Logger(label: "gist-lock-test") { _ in StreamingLogHandler(continuation: continuation) }, stream)
    }
}
