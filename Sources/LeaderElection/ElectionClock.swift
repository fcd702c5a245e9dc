/// The injected `Clock` with its instant type erased: times are offsets from the moment the elector
/// was created, so the actor can store and compare them whatever clock the caller chose.
struct ElectionClock: Sendable {
    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void

    init<C: Clock<Duration>>(_ clock: C) {
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
        sleeper = { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
    }

    /// The current time, as an offset from the origin.
    func now() -> Duration { elapsed() }

    /// Sleeps until the given offset; throws `CancellationError` when the task is cancelled.
    func sleep(until offset: Duration) async throws { try await sleeper(offset) }
}
