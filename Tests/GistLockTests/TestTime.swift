import Foundation
import Synchronization

/// A settable wall time for rate-limit deadlines, read synchronously by `GistClient`.
final class WallTime: Sendable {
    private let seconds: Atomic<Int64>

    init(_ start: Date) { seconds = Atomic(Int64(start.timeIntervalSince1970)) }

    var now: Date { Date(timeIntervalSince1970: TimeInterval(seconds.load(ordering: .relaxed))) }
    func advance(by interval: Int64) { seconds.add(interval, ordering: .relaxed) }
}

/// A clock whose sleeps return at once: each sleep first runs `onSleep` (where a test acts as another
/// writer would during the wait), then moves the clock to the deadline.
struct ImmediateClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private final class Elapsed: Sendable {
        let nanoseconds = Atomic<Int64>(0)
    }

    private let elapsed = Elapsed()
    private let onSleep: @Sendable (Duration) async -> Void

    init(onSleep: @escaping @Sendable (Duration) async -> Void = { _ in }) { self.onSleep = onSleep }

    var now: Instant { Instant(offset: .nanoseconds(elapsed.nanoseconds.load(ordering: .relaxed))) }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let wait = now.duration(to: deadline)
        await onSleep(wait)
        let (seconds, attoseconds) = wait.components
        elapsed.nanoseconds.add(seconds * 1_000_000_000 + attoseconds / 1_000_000_000, ordering: .relaxed)
    }
}

/// Collects values across tasks, for assertions after the fact.
actor Recorder<Value: Sendable> {
    private(set) var values: [Value] = []
    func append(_ value: Value) { values.append(value) }
}
