import LeaderElection

/// Wraps the lock so that an answer no retry can change (`ResourceLockError.permanent`: a revoked
/// token, a missing store) stops the app with one clear line instead of failing every attempt forever.
/// The elector still sees the error first, so it stops leading as it would for any failed renewal.
struct FailFastLock<Wrapped: ResourceLock>: ResourceLock {
    let wrapped: Wrapped
    /// Called once per permanent failure; the app logs it and shuts down with a non-zero exit.
    let onPermanentFailure: @Sendable (ResourceLockError) async -> Void

    var identity: String { wrapped.identity }
    var describe: String { wrapped.describe }

    func get() async throws -> ObservedRecord? {
        try await watch { try await wrapped.get() }
    }

    func create(_ record: LeaderElectionRecord) async throws {
        try await watch { try await wrapped.create(record) }
    }

    func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8]) async throws {
        try await watch { try await wrapped.update(record, expecting: observedRaw) }
    }

    func recordEvent(_ message: String) async {
        await wrapped.recordEvent(message)
    }

    private func watch<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as ResourceLockError where error.code == .permanent {
            await onPermanentFailure(error)
            throw error
        }
    }
}
