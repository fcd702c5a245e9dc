import Foundation

/// Counts requests per caller as GitHub's primary limit does (a fixed window that starts with the
/// caller's first request) and content-creating requests as its secondary limit does (sliding
/// minute and hour). Time comes from the injected wall clock, so tests move it by hand.
actor RateLimiter {
    /// Whose budget a request spends.
    enum Caller: Hashable, Sendable {
        case token(label: String)
        case client(address: String)
    }

    /// The x-ratelimit-* figures of one caller after a request.
    struct Snapshot: Equatable, Sendable {
        var limit: Int
        var remaining: Int
        var used: Int
        /// Epoch seconds at which the window resets.
        var reset: Int
        var resource = "core"
    }

    /// What to do with a request.
    enum Decision: Equatable, Sendable {
        case allowed(Snapshot)
        case primaryExceeded(Snapshot)
        case secondaryExceeded(Snapshot, retryAfter: Int)
    }

    private struct Window {
        var start: Date
        var used: Int
    }

    private let policy: RateLimitPolicy
    private let now: @Sendable () -> Date
    private var windows: [Caller: Window] = [:]
    private var writes: [Caller: [Date]] = [:]

    init(policy: RateLimitPolicy, now: @escaping @Sendable () -> Date) {
        self.policy = policy
        self.now = now
    }

    /// Charges one request to `caller` unless a limit is reached.
    func admit(_ caller: Caller, contentCreating: Bool) -> Decision {
        let time = now()
        var window = currentWindow(caller, at: time)
        let limit = limit(for: caller)
        guard window.used < limit else {
            return .primaryExceeded(snapshot(window, limit: limit))
        }
        if contentCreating, let retryAfter = secondaryRetryAfter(caller, at: time) {
            return .secondaryExceeded(snapshot(window, limit: limit), retryAfter: retryAfter)
        }
        window.used += 1
        windows[caller] = window
        if contentCreating { writes[caller, default: []].append(time) }
        return .allowed(snapshot(window, limit: limit))
    }

    /// Gives back the charge of a request that GitHub does not count (a 304 answer).
    func refund(_ caller: Caller) -> Snapshot {
        var window = currentWindow(caller, at: now())
        window.used = max(0, window.used - 1)
        windows[caller] = window
        return snapshot(window, limit: limit(for: caller))
    }

    /// The figures of `caller` without charging anything.
    func peek(_ caller: Caller) -> Snapshot {
        snapshot(currentWindow(caller, at: now()), limit: limit(for: caller))
    }

    private func currentWindow(_ caller: Caller, at time: Date) -> Window {
        if let window = windows[caller], time < window.start.addingTimeInterval(TimeInterval(policy.windowSeconds)) {
            return window
        }
        return Window(start: time, used: 0)
    }

    private func limit(for caller: Caller) -> Int {
        switch caller {
        case .token: policy.authenticatedLimit
        case .client: policy.unauthenticatedLimit
        }
    }

    private func snapshot(_ window: Window, limit: Int) -> Snapshot {
        let reset = Int(window.start.timeIntervalSince1970.rounded(.up)) + policy.windowSeconds
        return Snapshot(limit: limit, remaining: max(0, limit - window.used), used: window.used, reset: reset)
    }

    /// Seconds until the oldest write that fills a full minute or hour leaves it; `nil` when neither is full.
    private func secondaryRetryAfter(_ caller: Caller, at time: Date) -> Int? {
        let recent = (writes[caller] ?? []).filter { time.timeIntervalSince($0) < 3600 }
        writes[caller] = recent
        let lastMinute = recent.filter { time.timeIntervalSince($0) < 60 }
        var waits: [TimeInterval] = []
        if lastMinute.count >= policy.contentCreationPerMinute, let oldest = lastMinute.first {
            waits.append(60 - time.timeIntervalSince(oldest))
        }
        if recent.count >= policy.contentCreationPerHour, let oldest = recent.first {
            waits.append(3600 - time.timeIntervalSince(oldest))
        }
        guard let wait = waits.max() else { return nil }
        return max(1, Int(wait.rounded(.up)))
    }
}
