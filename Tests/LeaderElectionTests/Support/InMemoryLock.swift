import LeaderElection

/// The shared storage behind several `InMemoryLock`s: one byte string with compare-before-write.
actor LeaseStore {
    private(set) var raw: [UInt8]?
    /// Every successful write, in order.
    private(set) var writes: [LeaderElectionRecord] = []
    /// Writes and events in order, e.g. "write a", "event a became leader".
    private(set) var journal: [String] = []

    init(raw: [UInt8]? = nil) { self.raw = raw }

    var record: LeaderElectionRecord? { raw.flatMap { try? LeaderElectionRecord(jsonBytes: $0) } }

    func create(_ record: LeaderElectionRecord) throws {
        guard raw == nil else { throw ResourceLockError.conflict("the lock already exists") }
        store(record)
    }

    func update(_ record: LeaderElectionRecord, expecting observed: [UInt8]) throws {
        guard raw == observed else { throw ResourceLockError.conflict("the lock changed since it was read") }
        store(record)
    }

    /// Overwrites the stored bytes, as a person editing the lock by hand would.
    func overwrite(_ bytes: [UInt8]) { raw = bytes }

    func note(_ entry: String) { journal.append(entry) }

    private func store(_ record: LeaderElectionRecord) {
        raw = record.jsonBytes()
        writes.append(record)
        journal.append("write \(record.holderIdentity.isEmpty ? "<released>" : record.holderIdentity)")
    }
}

/// A real compare-before-write lock over a `LeaseStore` shared by several electors. Like a network
/// client, every call fails once its task is cancelled.
struct InMemoryLock: ResourceLock {
    let store: LeaseStore
    let identity: String
    var describe: String { "in-memory lock: \(identity)" }

    func get() async throws -> ObservedRecord? {
        try Task.checkCancellation()
        guard let raw = await store.raw else { return nil }
        do {
            return ObservedRecord(record: try LeaderElectionRecord(jsonBytes: raw), raw: raw)
        } catch {
            throw ResourceLockError.invalidRecord("the lock holds no lease record: \(error)", raw: raw)
        }
    }

    func create(_ record: LeaderElectionRecord) async throws {
        try Task.checkCancellation()
        try await store.create(record)
    }

    func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8]) async throws {
        try Task.checkCancellation()
        try await store.update(record, expecting: observedRaw)
    }

    func recordEvent(_ message: String) async { await store.note("event \(message)") }
}
