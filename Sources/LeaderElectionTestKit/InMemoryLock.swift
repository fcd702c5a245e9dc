public import LeaderElection

/// The shared storage behind several `InMemoryLock`s: one byte string with compare-before-write.
public actor LeaseStore {
    /// The stored bytes; nil while the lock does not exist.
    public private(set) var raw: [UInt8]?
    /// Every successful write, in order.
    public private(set) var writes: [LeaderElectionRecord] = []
    /// Writes and events in order, e.g. "write a", "event a became leader".
    public private(set) var journal: [String] = []
    /// Writes still to land with their answer lost, as a timeout after the request reached the store.
    private var answersToLose = 0
    /// Writes still to be refused before they land, as a 5xx answer.
    private var writesToFail = 0

    public init(raw: [UInt8]? = nil) { self.raw = raw }

    /// The stored record, when the bytes are one.
    public var record: LeaderElectionRecord? { raw.flatMap { try? LeaderElectionRecord(jsonBytes: $0) } }

    public func create(_ record: LeaderElectionRecord) throws {
        guard raw == nil else { throw ResourceLockError.conflict("the lock already exists") }
        try store(record)
    }

    public func update(_ record: LeaderElectionRecord, expecting observed: [UInt8]) throws {
        guard raw == observed else { throw ResourceLockError.conflict("the lock changed since it was read") }
        try store(record)
    }

    /// Overwrites the stored bytes, as a person editing the lock by hand would.
    public func overwrite(_ bytes: [UInt8]) { raw = bytes }

    /// Deletes the lock, as a person removing the file would.
    public func delete() { raw = nil }

    /// Lets the next `count` writes land but fail with `LostAnswer`.
    public func loseAnswers(_ count: Int = 1) { answersToLose += count }

    /// Makes the next `count` writes fail with `StoreUnavailable` without landing.
    public func failWrites(_ count: Int = 1) { writesToFail += count }

    public func note(_ entry: String) { journal.append(entry) }

    private func store(_ record: LeaderElectionRecord) throws {
        if writesToFail > 0 {
            writesToFail -= 1
            throw StoreUnavailable()
        }
        raw = record.jsonBytes()
        writes.append(record)
        journal.append("write \(record.holderIdentity.isEmpty ? "<released>" : record.holderIdentity)")
        if answersToLose > 0 {
            answersToLose -= 1
            throw LostAnswer()
        }
    }
}

/// A write that landed while its answer was lost: to the writer, a transient failure.
public struct LostAnswer: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the answer to the write was lost" }
}

/// A write refused before it landed, as a 5xx answer: to the writer, a transient failure.
public struct StoreUnavailable: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the store answered 503" }
}

/// A real compare-before-write lock over a `LeaseStore` shared by several electors. Like a network
/// client, every call fails once its task is cancelled, and may take time on a test clock.
public struct InMemoryLock: ResourceLock {
    /// How long each call takes, slept on `clock` before it acts.
    public struct Latency: Sendable {
        public var read: Duration
        public var write: Duration
        public init(read: Duration = .zero, write: Duration = .zero) {
            self.read = read
            self.write = write
        }
    }

    public let store: LeaseStore
    public let identity: String
    public var describe: String { "in-memory lock: \(identity)" }
    private let latency: Latency
    private let clock: (any Clock<Duration>)?

    /// - Parameters:
    ///   - latency: how long reads and writes take on `clock` (none without a clock).
    public init(store: LeaseStore, identity: String, latency: Latency = Latency(), clock: (any Clock<Duration>)? = nil) {
        self.store = store
        self.identity = identity
        self.latency = latency
        self.clock = clock
    }

    private func take(_ duration: Duration) async throws {
        try Task.checkCancellation()
        if let clock, duration > .zero { try await clock.sleep(for: duration) }
    }

    public func get() async throws -> ObservedRecord? {
        try await take(latency.read)
        guard let raw = await store.raw else { return nil }
        do {
            return ObservedRecord(record: try LeaderElectionRecord(jsonBytes: raw), raw: raw)
        } catch {
            throw ResourceLockError.invalidRecord("the lock holds no lease record: \(error)", raw: raw)
        }
    }

    public func create(_ record: LeaderElectionRecord) async throws {
        try await take(latency.write)
        try await store.create(record)
    }

    public func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8]) async throws {
        try await take(latency.write)
        try await store.update(record, expecting: observedRaw)
    }

    public func recordEvent(_ message: String) async { await store.note("event \(message)") }
}
