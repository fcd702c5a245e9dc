import Foundation
import Synchronization

/// A settable wall time for rate-limit deadlines, read synchronously by `GistClient`.
final class WallTime: Sendable {
    private let seconds: Atomic<Int64>

    init(_ start: Date) { seconds = Atomic(Int64(start.timeIntervalSince1970)) }

    var now: Date { Date(timeIntervalSince1970: TimeInterval(seconds.load(ordering: .relaxed))) }
    func advance(by interval: Int64) { seconds.add(interval, ordering: .relaxed) }
}

/// Collects values across tasks, for assertions after the fact.
actor Recorder<Value: Sendable> {
    private(set) var values: [Value] = []
    func append(_ value: Value) { values.append(value) }
}
