public import Foundation
public import Logging

/// A swift-log handler that writes klog's text format, as Kubernetes components do:
/// `I1121 08:54:13.874758       1 LeaderElector.swift:120] message key="value"`.
public struct KlogLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let output: LogOutput
    private let now: @Sendable () -> Date
    private let pid: Int32
    private let timeZone: TimeZone

    /// - Parameters:
    ///   - output: where lines go; shared between copies of the handler.
    ///   - now: the wall time printed in each line, in local time as klog prints it.
    public init(output: LogOutput = .standardError, now: @escaping @Sendable () -> Date = { Date() }) {
        self.output = output
        self.now = now
        self.pid = ProcessInfo.processInfo.processIdentifier
        self.timeZone = .current
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
                file: event.file, line: event.line, time: now(), pid: pid, timeZone: timeZone))
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
