public import Foundation
public import Logging

/// A swift-log handler that writes one JSON object per line, for log pipelines:
/// `{"ts":"2026-11-21T08:54:13.874Z","level":"info","caller":"LeaderElector.swift:120","msg":"...","identity":"napoleon"}`.
public typealias JSONLogHandler = LineLogHandler<JSONLogFormat>

/// The lines of `JSONLogHandler`.
public struct JSONLogFormat: LogLineFormat {
    public init() {}

    public func line(level: Logger.Level, message: String, metadata: Logger.Metadata, file: String, line: UInt, time: Date)
        -> String
    {
        Self.format(level: level, message: message, metadata: metadata, file: file, line: line, time: time)
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
