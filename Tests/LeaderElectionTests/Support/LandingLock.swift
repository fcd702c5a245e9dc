import LeaderElection
import LeaderElectionTestKit
import Testing

/// A compare-before-write lock over a `LeaseStore` whose writes land before they answer, and whose
/// answers a test can lose or hold back: the writes in doubt of a real network.
actor LandingLock: ResourceLock {
    /// What a write does after it landed.
    enum Answer: Sendable {
        /// Answers success.
        case ok
        /// Throws a network error, as a timeout after the request was sent.
        case lost
        /// Waits until `answerHeldWrite()` (then succeeds) or until its task is cancelled (then throws
        /// `CancellationError`, as URLSession does).
        case held
    }

    nonisolated let store: LeaseStore
    nonisolated let identity: String
    nonisolated var describe: String { "landing lock: \(identity)" }
    /// "held", "answered", "cancelled" as held writes go.
    let events = CallbackLog()
    private var answers: [Answer]
    private let gate: AsyncStream<Void>
    private let opener: AsyncStream<Void>.Continuation

    /// `answers` are used one per write, in order; writes beyond them answer `.ok`.
    init(store: LeaseStore, identity: String, answers: [Answer]) {
        self.store = store
        self.identity = identity
        self.answers = answers
        (gate, opener) = AsyncStream.makeStream(of: Void.self)
    }

    /// Lets the held write answer.
    func answerHeldWrite() { opener.yield() }

    func get() async throws -> ObservedRecord? {
        try Task.checkCancellation()
        guard let raw = await store.raw else { return nil }
        return ObservedRecord(record: try LeaderElectionRecord(jsonBytes: raw), raw: raw)
    }

    func create(_ record: LeaderElectionRecord) async throws {
        try Task.checkCancellation()
        try await store.create(record)
        try await answer()
    }

    func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8]) async throws {
        try Task.checkCancellation()
        try await store.update(record, expecting: observedRaw)
        try await answer()
    }

    func recordEvent(_ message: String) async { await store.note("event \(message)") }

    private func answer() async throws {
        switch answers.isEmpty ? .ok : answers.removeFirst() {
        case .ok:
            return
        case .lost:
            throw NetworkError()
        case .held:
            await events.append("held")
            var waiting = gate.makeAsyncIterator()
            // nil when the task is cancelled while waiting.
            if await waiting.next() == nil || Task.isCancelled {
                await events.append("cancelled")
                throw CancellationError()
            }
            await events.append("answered")
        }
    }
}
