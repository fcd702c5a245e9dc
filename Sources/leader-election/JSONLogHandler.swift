public import Foundation
public import Logging

/// A swift-log handler that writes one JSON object per line, for log pipelines:
/// `{"ts":"2026-11-21T08:54:13.874Z","level":"info","caller":"LeaderElector.swift:120","msg":"...","identity":"napoleon"}`.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let output: LogOutput
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - output: where lines go; shared between copies of the handler.
    ///   - now: the wall time printed in each line.
    public init(output: LogOutput = .standardError, now: @escaping @Sendable () -> Date = { Date() }) {
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
            Self.format(
                level: event.level, message: event.message.description, metadata: merged,
                file: event.file, line: event.line, time: now()))
    }

    /// One JSON line, newline included; metadata keys never replace the fixed ones.
    static func format(
        level: Logger.Level, message: String, metadata: Logger.Metadata, file: String, line: UInt, time: Date
    ) -> String {
        var object: [String: String] = [:]
        for (key, value) in metadata { object[key] = value.description }
        object["ts"] = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(time)
        object["level"] = level.rawValue
        object["caller"] = "\(file.split(separator: "/").last.map(String.init) ?? file):\(line)"
        object["msg"] = message
        // A [String: String] always encodes.
        return String(decoding: try! JSONEncoder.app.encode(object), as: UTF8.self) + "\n"
    }
}
