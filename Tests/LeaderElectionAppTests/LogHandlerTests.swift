import Foundation
import Logging
import Testing

@testable import leader_election

@Suite struct LogHandlerTests {
    /// Collects lines written by a handler.
    final class Lines: Sendable {
        let output: LogOutput
        private let box = Box()
        init() {
            let box = self.box
            output = LogOutput { line in box.append(line) }
        }
        var all: [String] { box.lines }

        private final class Box: @unchecked Sendable {
            // Tests log from one task at a time; no concurrent access.
            var lines: [String] = []
            func append(_ line: String) { lines.append(line) }
        }
    }

    @Test func klogLineHasHeaderFileLineAndQuotedMetadata() {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let time = utc.date(
            from: DateComponents(year: 2026, month: 11, day: 21, hour: 8, minute: 54, second: 13, nanosecond: 874_758_000))!
        let line = KlogLogFormat.format(
            level: .info, message: "All hail cleopatra", metadata: ["lock": "Github gist lock: napoleon", "b": "x\"y"],
            file: "LeaderElection/LeaderElector.swift", line: 120, time: time, pid: 1, timeZone: utc.timeZone)
        #expect(
            line
                == "I1121 08:54:13.874758       1 LeaderElector.swift:120] All hail cleopatra b=\"x\\\"y\" lock=\"Github gist lock: napoleon\"\n"
        )
    }

    static func klogLine(message: String, metadata: Logger.Metadata) -> String {
        KlogLogFormat.format(
            level: .info, message: message, metadata: metadata, file: "F.swift", line: 1,
            time: Date(timeIntervalSince1970: 0), pid: 1, timeZone: TimeZone(identifier: "UTC")!)
    }

    /// Values are quoted as JSON strings (which Go's strconv and the harness read back): every
    /// character that could end the value or the line, or drive a terminal, is escaped.
    @Test(arguments: [
        ("back\\slash", #"back\\slash"#), ("new\nline", #"new\nline"#), ("carriage\rreturn", #"carriage\rreturn"#),
        ("tab\tbed", #"tab\tbed"#), ("esc\u{1B}[2J", #"esc\u001b[2J"#), ("bell\u{07}", #"bell\u0007"#),
        ("del\u{7F}", #"del\u007f"#), ("nel\u{85}", #"nel\u0085"#), ("line\u{2028}sep", #"line\u2028sep"#),
        ("bidi\u{202E}x", #"bidi\u202ex"#), ("quote\"", #"quote\""#), ("plain é 名", "plain é 名"),
    ])
    func klogValuesEscapeEveryControlCharacter(value: String, escaped: String) {
        let line = Self.klogLine(message: "m", metadata: ["leader": "\(value)"])
        #expect(line == "I0101 00:00:00.000000       1 F.swift:1] m leader=\"\(escaped)\"\n")
    }

    /// The message is not quoted (klog's format), but nothing in it can break the line.
    @Test func klogMessagesEscapeControlCharactersButKeepQuotes() {
        let identity = "x\nI0101 00:00:00.000000       1 LeaderElector.swift:1] started leading.\r\u{1B}]0;pwned\u{07}"
        let line = Self.klogLine(message: "All hail \(identity) \"quoted\" back\\slash", metadata: [:])
        #expect(line.filter(\.isNewline).count == 1 && line.hasSuffix("\n"))
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(
            line == "I0101 00:00:00.000000       1 F.swift:1] All hail x\\nI0101 00:00:00.000000       1 "
                + "LeaderElector.swift:1] started leading.\\r\\u001b]0;pwned\\u0007 \"quoted\" back\\slash\n")
    }

    @Test(arguments: [
        (Logger.Level.warning, "W"), (.error, "E"), (.critical, "F"), (.debug, "I"),
    ])
    func klogLevelLetters(level: Logger.Level, letter: String) {
        let line = KlogLogFormat.format(
            level: level, message: "m", metadata: [:], file: "F.swift", line: 1, time: Date(timeIntervalSince1970: 0),
            pid: 42, timeZone: TimeZone(identifier: "UTC")!)
        #expect(line.hasPrefix("\(letter)0101 00:00:00.000000      42 F.swift:1] m"))
    }

    @Test func copiesOfALoggerKeepTheirOwnLevelAndMetadata() {
        let lines = Lines()
        var original = Logger(label: "t") { _ in KlogLogHandler(output: lines.output) }
        original[metadataKey: "identity"] = "napoleon"
        var copy = original
        copy.logLevel = .error
        copy[metadataKey: "identity"] = "stalin"
        original.info("from original")
        copy.info("dropped by level")
        copy.error("from copy")
        #expect(lines.all.count == 2)
        #expect(lines.all[0].contains("from original identity=\"napoleon\""))
        #expect(lines.all[1].contains("from copy identity=\"stalin\""))
    }

    @Test func jsonLineCarriesFixedKeysThatMetadataCannotReplace() throws {
        let line = JSONLogFormat.format(
            level: .warning, message: "All hail x", metadata: ["identity": "a", "msg": "spoofed"],
            file: "Mod/File.swift", line: 7, time: Date(timeIntervalSince1970: 1_700_000_000.5))
        #expect(line.hasSuffix("\n"))
        let object = try JSONDecoder().decode([String: String].self, from: Data(line.utf8))
        #expect(
            object == [
                "ts": "2023-11-14T22:13:20.500Z", "level": "warning", "caller": "File.swift:7", "msg": "All hail x",
                "identity": "a",
            ])
    }
}
