public import Foundation
public import Logging
import TextEscaping

/// A swift-log handler that writes klog's text format, as Kubernetes components do:
/// `I1121 08:54:13.874758       1 LeaderElector.swift:120] message key="value"`.
public typealias KlogLogHandler = LineLogHandler<KlogLogFormat>

/// The lines of `KlogLogHandler`: this process's id, the time in the local time zone.
public struct KlogLogFormat: LogLineFormat {
    private let pid = ProcessInfo.processInfo.processIdentifier
    private let timeZone = TimeZone.current

    public init() {}

    public func line(level: Logger.Level, message: String, metadata: Logger.Metadata, file: String, line: UInt, time: Date)
        -> String
    {
        Self.format(
            level: level, message: message, metadata: metadata, file: file, line: line, time: time, pid: pid,
            timeZone: timeZone)
    }

    /// One klog line, newline included.
    static func format(
        level: Logger.Level, message: String, metadata: Logger.Metadata,
        file: String, line: UInt, time: Date, pid: Int32, timeZone: TimeZone
    ) -> String {
        let letter: Character =
            switch level {
            case .trace, .debug, .info, .notice: "I"
            case .warning: "W"
            case .error: "E"
            case .critical: "F"
            }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents(
            [.month, .day, .hour, .minute, .second, .nanosecond], from: time)
        let micros = (parts.nanosecond ?? 0) / 1000
        let stamp = String(
            format: "%02d%02d %02d:%02d:%02d.%06d", parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0, parts.second ?? 0, micros)
        let fileName = file.split(separator: "/").last.map(String.init) ?? file
        let pidField = String(repeating: " ", count: max(0, 7 - String(pid).count)) + String(pid)
        // Messages quote identities and answers from the store: escaped, so they cannot break the line.
        var text = "\(letter)\(stamp) \(pidField) \(fileName):\(line)] \(message.escapedForLog(quoting: false))"
        for key in metadata.keys.sorted() {
            text += " \(key.escapedForLog(quoting: true))=\(quoted(metadata[key]!))"
        }
        return text + "\n"
    }

    private static func quoted(_ value: Logger.Metadata.Value) -> String {
        "\"\(value.description.escapedForLog(quoting: true))\""
    }
}
