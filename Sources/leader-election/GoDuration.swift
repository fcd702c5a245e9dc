import ArgumentParser
import Foundation

/// A duration written the way Go's `time.ParseDuration` reads it ("30s", "1m30s", "500ms", "1.5h").
struct GoDuration: Sendable, Equatable, ExpressibleByArgument, CustomStringConvertible {
    /// The duration; zero when `outOfRange`.
    let duration: Duration
    /// The text given, when it is a well-formed duration beyond Go's range (about 292 years), which
    /// settings refuse with a message of their own: ArgumentParser would only say "invalid".
    let outOfRange: String?

    init(_ duration: Duration) {
        self.init(duration: duration, outOfRange: nil)
    }

    private init(duration: Duration, outOfRange: String?) {
        self.duration = duration
        self.outOfRange = outOfRange
    }

    init?(argument: String) {
        switch Self.read(argument) {
        case .duration(let duration): self.init(duration)
        case .outOfRange: self.init(duration: .zero, outOfRange: argument)
        case .malformed: return nil
        }
    }

    static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// What a text reads as.
    enum Reading: Equatable {
        case duration(Duration)
        /// Well formed, but beyond what Go's int64 nanoseconds hold.
        case outOfRange
        case malformed
    }

    /// Parses a duration as Go does; `nil` when malformed or out of range.
    static func parse(_ text: String) -> Duration? {
        if case .duration(let duration) = read(text) { return duration }
        return nil
    }

    /// An optional sign, then a sequence of decimal numbers each with a unit; a bare "0" is zero, as in Go.
    static func read(_ text: String) -> Reading {
        var rest = Substring(text)
        var sign = 1.0
        if let first = rest.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        if rest == "0" { return .duration(.zero) }
        var total = 0.0
        guard !rest.isEmpty else { return .malformed }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1,
                let value = Double(number)
            else { return .malformed }
            rest = rest.dropFirst(number.count)
            // Longest suffix first, so "ms" is not read as "m" followed by garbage.
            guard
                let unit = units.sorted(by: { $0.suffix.count > $1.suffix.count })
                    .first(where: { rest.hasPrefix($0.suffix) })
            else { return .malformed }
            rest = rest.dropFirst(unit.suffix.count)
            total += value * unit.nanoseconds
        }
        // Go keeps durations in int64 nanoseconds; 2^63 itself is out, as Double rounds up to it.
        guard total.isFinite, total < 0x1p63 else { return .outOfRange }
        return .duration(.nanoseconds(Int64((sign * total).rounded())))
    }

    static let rangeAdvice = "a duration is at most 2562047h (Go's limit), and a timing at most a week"

    /// The duration, or an error naming `flag` when the text given was out of range.
    func checked(_ flag: String) throws -> Duration {
        if let outOfRange { throw AppError("\(flag) \(outOfRange) is out of range: \(Self.rangeAdvice)") }
        return duration
    }

    /// A duration setting: the flag's value, else the variable's, else nil; an `AppError` names the
    /// flag or the variable whose text is out of range or malformed.
    static func setting(
        _ flag: GoDuration?, _ name: String, _ variable: String, _ environment: [String: String]
    ) throws -> Duration? {
        if let flag { return try flag.checked(name) }
        guard let text = environment.nonEmpty(variable) else { return nil }
        switch read(text) {
        case .duration(let duration): return duration
        case .outOfRange: throw AppError("\(variable)=\"\(text)\" is out of range: \(rangeAdvice)")
        case .malformed: throw AppError("\(variable)=\"\(text)\" is not a duration: write it like 30s, 1m30s or 500ms")
        }
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
