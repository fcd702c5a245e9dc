import LeaderElection
import Testing

/// A transport failure, as a network error would surface from a real lock.
struct NetworkError: Error, CustomStringConvertible {
    var description: String { "connection refused" }
}

/// A lock that plays back scripted replies per verb, logs every call in order, and records an issue
/// on any call the script did not foresee (as client-go's catch-all reactor).
actor FakeLock: ResourceLock {
    enum GetReply: Sendable {
        /// A stored record (its raw bytes are `jsonBytes()`).
        case record(LeaderElectionRecord)
        /// Whatever create or update last wrote.
        case lastWritten
        case notFound
        case networkError
        /// Content that is not a record.
        case invalid([UInt8])
    }

    enum WriteReply: Sendable { case ok, conflict, networkError }

    nonisolated let identity: String
    nonisolated var describe: String { "fake lock: \(identity)" }

    private var getReplies: [GetReply] = []
    private var createReplies: [WriteReply] = []
    private var updateReplies: [WriteReply] = []
    /// Every call in order: "get", "create", "update", "event".
    private(set) var calls: [String] = []
    private(set) var created: [LeaderElectionRecord] = []
    private(set) var updated: [(record: LeaderElectionRecord, expecting: [UInt8])] = []
    private(set) var events: [String] = []
    private(set) var lastWritten: LeaderElectionRecord?
    /// Runs at the start of every call, before the reply (to look at the elector from inside a call).
    private var probe: (@Sendable (String) async -> Void)?

    init(identity: String) { self.identity = identity }

    func script(get: [GetReply] = [], create: [WriteReply] = [], update: [WriteReply] = []) {
        getReplies += get
        createReplies += create
        updateReplies += update
    }

    func setProbe(_ probe: @escaping @Sendable (String) async -> Void) { self.probe = probe }

    func count(_ verb: String) -> Int { calls.filter { $0 == verb }.count }

    func get() async throws -> ObservedRecord? {
        await begin("get")
        guard !getReplies.isEmpty else { return try unexpected("get") }
        switch getReplies.removeFirst() {
        case .record(let record): return ObservedRecord(record: record, raw: record.jsonBytes())
        case .lastWritten:
            guard let lastWritten else { return try unexpected("get of a record never written") }
            return ObservedRecord(record: lastWritten, raw: lastWritten.jsonBytes())
        case .notFound: return nil
        case .networkError: throw NetworkError()
        case .invalid(let raw): throw ResourceLockError.invalidRecord("the lock file is not JSON", raw: raw)
        }
    }

    func create(_ record: LeaderElectionRecord) async throws {
        await begin("create")
        guard !createReplies.isEmpty else { return try unexpected("create") }
        created.append(record)
        try apply(createReplies.removeFirst(), record)
    }

    func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8]) async throws {
        await begin("update")
        guard !updateReplies.isEmpty else { return try unexpected("update") }
        updated.append((record, observedRaw))
        try apply(updateReplies.removeFirst(), record)
    }

    func recordEvent(_ message: String) async {
        calls.append("event")
        events.append(message)
    }

    private func begin(_ verb: String) async {
        calls.append(verb)
        await probe?(verb)
    }

    private func apply(_ reply: WriteReply, _ record: LeaderElectionRecord) throws {
        switch reply {
        case .ok: lastWritten = record
        case .conflict: throw ResourceLockError.conflict("the lock changed since it was read")
        case .networkError: throw NetworkError()
        }
    }

    private func unexpected<T>(_ what: String) throws -> T {
        Issue.record("FakeLock: unexpected \(what) (call \(calls.count): \(calls))")
        throw NetworkError()
    }
}
