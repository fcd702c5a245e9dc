import ArgumentParser
import Foundation

/// A duration written the way Go's `time.ParseDuration` reads it ("30s", "1m30s", "500ms", "1.5h").
struct GoDuration: Sendable, Equatable, ExpressibleByArgument, CustomStringConvertible {
    let duration: Duration

    init(_ duration: Duration) {
        self.duration = duration
    }

    init?(argument: String) {
        guard let duration = Self.parse(argument) else { return nil }
        self.duration = duration
    }

    static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// Parses a sequence of decimal numbers each with a unit; a bare "0" is zero, as in Go.
    static func parse(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // Longest suffix first, so "ms" is not read as "m" followed by garbage.
            guard let unit = units.sorted(by: { $0.suffix.count > $1.suffix.count })
                .first(where: { rest.hasPrefix($0.suffix) })
            else { return nil }
            rest = rest.dropFirst(unit.suffix.count)
            total += value * unit.nanoseconds
        }
        return .nanoseconds(Int64(total.rounded()))
    }

    /// Go's `Duration.String()` form: "1m30s", "500ms", "0s".
    var description: String { Self.format(duration) }

    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let nanos = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        if nanos == 0 { return "0s" }
        if abs(nanos) < 1_000_000_000 {
            for (suffix, size) in [("ms", 1_000_000), ("µs", 1_000), ("ns", 1)] where abs(nanos) >= size {
                return trimmed(Double(nanos) / Double(size)) + suffix
            }
        }
        var text = ""
        var rest = Double(nanos) / 1e9
        if rest >= 3600 {
            text += "\(Int(rest / 3600))h"
            rest = rest.truncatingRemainder(dividingBy: 3600)
        }
        if !text.isEmpty || rest >= 60 {
            text += "\(Int(rest / 60))m"
            rest = rest.truncatingRemainder(dividingBy: 60)
        }
        return text + trimmed(rest) + "s"
    }

    private static func trimmed(_ value: Double) -> String {
        let text = String(format: "%.9f", value)
        let stripped = text.reversed().drop { $0 == "0" }.drop { $0 == "." }
        return String(stripped.reversed())
    }
}
