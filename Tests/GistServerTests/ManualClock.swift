import Foundation
import Synchronization

/// A clock that moves only when a test advances it, with a wall time that moves with it. Sleepers
/// wait on continuations that `advance(by:)` resumes, so injected latency takes no real time.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Self { Self(offset: offset + duration) }
        func duration(to other: Self) -> Duration { other.offset - offset }
        static func < (lhs: Self, rhs: Self) -> Bool { lhs.offset < rhs.offset }
    }

    /// Wall time at offset zero.
    static let wallStart = Date(timeIntervalSince1970: 1_700_000_000)

    private let nanoseconds = Atomic<Int64>(0)
    private let sleepers = SleeperList()

    var now: Instant { Instant(offset: .nanoseconds(nanoseconds.load(ordering: .sequentiallyConsistent))) }
    var minimumResolution: Duration { .nanoseconds(1) }

    /// Wall time matching `now`, for the server's timestamps and rate-limit windows.
    var wallTime: Date {
        Self.wallStart.addingTimeInterval(Double(nanoseconds.load(ordering: .sequentiallyConsistent)) / 1e9)
    }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        guard deadline > now else { return }
        await sleepers.wait(until: deadline.offset)
    }

    /// Moves time forward and wakes the sleepers whose deadline has come.
    func advance(by duration: Duration) async {
        let (seconds, attoseconds) = duration.components
        let total = nanoseconds.add(seconds * 1_000_000_000 + attoseconds / 1_000_000_000, ordering: .sequentiallyConsistent)
        await sleepers.wake(through: .nanoseconds(total.newValue))
    }

    /// Returns once `count` sleepers are waiting.
    func waitForSleepers(_ count: Int) async {
        await sleepers.waitForCount(count)
    }
}

private actor SleeperList {
    private var sleepers: [(deadline: Duration, continuation: CheckedContinuation<Void, Never>)] = []
    private var countWatchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    func wait(until deadline: Duration) async {
        await withCheckedContinuation { continuation in
            sleepers.append((deadline, continuation))
            let ready = countWatchers.filter { $0.count <= sleepers.count }
            countWatchers.removeAll { $0.count <= sleepers.count }
            for watcher in ready { watcher.continuation.resume() }
        }
    }

    func wake(through now: Duration) {
        let due = sleepers.filter { $0.deadline <= now }
        sleepers.removeAll { $0.deadline <= now }
        for sleeper in due { sleeper.continuation.resume() }
    }

    func waitForCount(_ count: Int) async {
        if sleepers.count >= count { return }
        await withCheckedContinuation { countWatchers.append((count, $0)) }
    }
}
