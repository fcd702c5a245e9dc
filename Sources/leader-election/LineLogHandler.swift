public import Foundation
public import Logging

/// How a log event is written as one line: what the app's log formats (klog, JSON) do differently.
public protocol LogLineFormat: Sendable {
    init()
    /// One line, newline included.
    func line(level: Logger.Level, message: String, metadata: Logger.Metadata, file: String, line: UInt, time: Date)
        -> String
}

/// A swift-log handler that writes each event as one line in `Format`: `KlogLogHandler`, `JSONLogHandler`.
public struct LineLogHandler<Format: LogLineFormat>: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let format: Format
    private let output: LogOutput
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - output: where lines go; shared between copies of the handler.
    ///   - now: the wall time printed in each line (klog prints it in local time).
    public init(
        format: Format = Format(), output: LogOutput = .standardError, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.format = format
        self.output = output
        self.now = now
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = event.mergedMetadata(handler: metadata, provider: metadataProvider)
        output.write(
            format.line(
                level: event.level, message: event.message.description, metadata: merged,
                file: event.file, line: event.line, time: now()))
    }
}
