import Logging

extension LeaderElector {
    /// Runs one attempt (`tryAcquire` or `tryRenew`) shielded, so that graceful shutdown (which cancels
    /// the election loop) lets a lock call in flight finish: a write cancelled halfway may still land on
    /// the server while we see only the cancellation. The renew deadline and a cancelled `run()` still
    /// cancel it, through `cancelAttemptInFlight()`.
    func shieldedAttempt(_ operation: @escaping @Sendable () async -> Attempt) async -> Attempt {
        defer { attemptInFlight = nil }
        return await shielded(operation) { attemptInFlight = $0 }
    }

    /// Runs `operation` in a task of its own, which the caller's cancellation does not reach, and waits
    /// for it, so it never outlives the caller: the one place where the elector leaves structured
    /// concurrency, for lock calls that must finish (or still run) after the loop was cancelled.
    /// `started` gets the task, for the one who may still cancel it.
    func shielded<T: Sendable>(
        _ operation: @escaping @Sendable () async -> T, started: (Task<T, Never>) -> Void = { _ in }
    ) async -> T {
        let task = Task { await operation() }
        started(task)
        return await task.value
    }

    /// Cancels the attempt under way, if any (the renew deadline passed, or `run()` was cancelled).
    func cancelAttemptInFlight() {
        attemptInFlight?.cancel()
    }

    /// After the election loop ended without leading: if a write failed in a way that may have landed
    /// (no read has shown the lock since), reads it and releases it when it names us, so a lease we
    /// never used is not left to expire. No guarded work ran for it, so releasing is safe.
    func releaseIfWriteInDoubt() async {
        guard writes.hasDoubts, config.releaseOnCancel else { return }
        writes.clearDoubts()
        // Shielded, so the lock calls run even though run() is ending by cancellation.
        await shielded { await self.releaseIfOurs() }
    }

    private func releaseIfOurs() async {
        guard await refreshObservation(), observation.holder == identity else { return }
        logger.info("a write whose answer was lost made this copy the holder of \(lock.describe); releasing it")
        await release()
    }
}
