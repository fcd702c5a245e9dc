import Foundation

/// Where log lines are written. A reference type, so copies of a log handler share one destination.
public final class LogOutput: Sendable {
    private let sink: @Sendable (String) -> Void

    /// A destination that hands each finished line to `sink`.
    public init(sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
    }

    /// Standard error, one write per line so lines from different tasks never interleave.
    public static let standardError = LogOutput { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    func write(_ line: String) {
        sink(line)
    }
}
