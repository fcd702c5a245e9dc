public import Foundation
import LeaderElection
import Synchronization

/// A clock that moves only when a test advances it, with a wall time that moves with it. Sleepers
/// suspend on continuations that `advance(by:)` resumes; tests wait for "every task is asleep again"
/// with `settle`, which asks each party how many sleepers it parks, instead of sleeping for real. Made with `onSleep`, it never
/// suspends: each sleep runs `onSleep` (where a test acts as another writer would during the wait),
/// then moves the clock to the deadline.
public final class ManualClock: Clock, Sendable {
    public struct Instant: InstantProtocol, CustomStringConvertible {
        public var offset: Duration
        public init(offset: Duration) { self.offset = offset }
        public func advanced(by duration: Duration) -> Self { Self(offset: offset + duration) }
        public func duration(to other: Self) -> Duration { other.offset - offset }
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.offset < rhs.offset }
        public var description: String { "t+\(offset)" }
    }

    /// Wall time at offset zero.
    public static let wallStart = Date(timeIntervalSince1970: 1_700_000_000)

    private let nanoseconds: NowCell
    private let sleepers: Sleepers
    private let onSleep: (@Sendable (Duration) async -> Void)?

    /// A clock that only `advance(by:)` moves.
    public init() {
        nanoseconds = NowCell()
        sleepers = Sleepers(now: nanoseconds)
        onSleep = nil
    }

    /// A clock whose sleeps return at once, after `onSleep` ran with the duration slept.
    public init(onSleep: @escaping @Sendable (Duration) async -> Void) {
        nanoseconds = NowCell()
        sleepers = Sleepers(now: nanoseconds)
        self.onSleep = onSleep
    }

    public var now: Instant { Instant(offset: nanoseconds.value) }
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Wall time matching `now`: `wallStart` plus the offset.
    public var wallTime: Date {
        Self.wallStart.addingTimeInterval(nanoseconds.value.secondsValue)
    }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        if let onSleep {
            let wait = now.duration(to: deadline)
            await onSleep(wait)
            if wait > .zero { nanoseconds.advance(by: wait) }
            return
        }
        let flag = CancelFlag()
        try await withTaskCancellationHandler {
            try await sleepers.sleep(until: deadline.offset, flag: flag)
        } onCancel: {
            // Set at once, so a cancelled sleeper stops counting before its removal is processed.
            flag.set()
            Task { [sleepers] in await sleepers.cancel(flag) }
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come, earliest first.
    public func advance(by duration: Duration) async { await sleepers.advance(by: duration) }

    /// Sleepers that are neither woken nor cancelled.
    public var activeSleepers: Int { get async { await sleepers.activeCount } }
    /// Grows on every registration, wake-up and cancellation.
    public var version: Int { get async { await sleepers.version } }
    /// Returns once `version` is past `version`.
    public func waitForChange(after version: Int) async { await sleepers.waitForChange(after: version) }

    /// Waits until at least `count` sleepers are registered (to wait until everything is parked, use
    /// `settle`, which asks each party how many sleepers it has).
    public func waitForSleepers(atLeast count: Int) async {
        while true {
            let version = await version
            if await activeSleepers >= count { return }
            await waitForChange(after: version)
        }
    }
}

/// The clock's current offset, readable synchronously (`Clock.now` is not async).
final class NowCell: Sendable {
    private let nanos = Atomic<Int64>(0)
    var value: Duration { .nanoseconds(nanos.load(ordering: .sequentiallyConsistent)) }
    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        nanos.add(seconds * 1_000_000_000 + attoseconds / 1_000_000_000, ordering: .sequentiallyConsistent)
    }
}

final class CancelFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)
    var isSet: Bool { cancelled.load(ordering: .sequentiallyConsistent) }
    func set() { cancelled.store(true, ordering: .sequentiallyConsistent) }
}

actor Sleepers {
    private struct Sleeper {
        var deadline: Duration
        var flag: CancelFlag
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let now: NowCell
    private var sleepers: [ObjectIdentifier: Sleeper] = [:]
    private var watchers: [(after: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private(set) var version = 0

    init(now: NowCell) { self.now = now }

    var activeCount: Int { sleepers.values.filter { !$0.flag.isSet }.count }

    func sleep(until deadline: Duration, flag: CancelFlag) async throws {
        if flag.isSet { throw CancellationError() }
        if deadline <= now.value { return }
        try await withCheckedThrowingContinuation { continuation in
            sleepers[ObjectIdentifier(flag)] = Sleeper(deadline: deadline, flag: flag, continuation: continuation)
            changed()
        }
    }

    func cancel(_ flag: CancelFlag) {
        guard let sleeper = sleepers.removeValue(forKey: ObjectIdentifier(flag)) else { return }
        sleeper.continuation.resume(throwing: CancellationError())
        changed()
    }

    func advance(by duration: Duration) {
        now.advance(by: duration)
        let due = sleepers.filter { $0.value.deadline <= now.value }.sorted { $0.value.deadline < $1.value.deadline }
        for (key, sleeper) in due {
            sleepers[key] = nil
            sleeper.continuation.resume()
        }
        changed()
    }

    func waitForChange(after seen: Int) async {
        if version > seen { return }
        await withCheckedContinuation { watchers.append((seen, $0)) }
    }

    private func changed() {
        version += 1
        let ready = watchers.filter { $0.after < version }
        watchers.removeAll { $0.after < version }
        for watcher in ready { watcher.continuation.resume() }
    }
}
