import Logging

extension LeaderElector {
    /// Runs one attempt (`tryAcquire` or `tryRenew`) in a task of its own, so that graceful shutdown (which cancels the
    /// election loop) lets a lock call in flight finish: a write cancelled halfway may still land on
    /// the server while we see only the cancellation. The renew deadline and a cancelled `run()` still
    /// cancel it, through `cancelAttemptInFlight()`. Never outlives the caller: it is awaited here.
    func shieldedAttempt(_ operation: @escaping @Sendable (isolated LeaderElector) async -> Attempt) async -> Attempt {
        let attempt = Task { await operation(self) }
        attemptInFlight = attempt
        defer { attemptInFlight = nil }
        return await attempt.value
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
        // Unstructured, so the lock calls run even though run() is ending by cancellation.
        await Task {
            guard await self.refreshObservation(), self.observation.holder == self.identity else { return }
            self.logger.info("a write whose answer was lost made this copy the holder of \(self.lock.describe); releasing it")
            await self.release()
        }.value
    }
}
