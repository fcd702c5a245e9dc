/// What a lock returns from `get`: the parsed record and the exact bytes it was parsed from.
public struct ObservedRecord: Sendable, Equatable {
    public var record: LeaderElectionRecord
    /// The stored bytes; the elector compares them to notice any change, whatever its cause.
    public var raw: [UInt8]

    public init(record: LeaderElectionRecord, raw: [UInt8]) {
        self.record = record
        self.raw = raw
    }
}

/// Storage for the lease record. Strictly for use by `LeaderElector`, which never names a concrete lock.
///
/// The contract every lock keeps, which the elector's safety rests on (`LeaderElectionTestKit`'s
/// conformance suite checks it):
/// - **Bytes.** A successful `create` or `update` stores exactly `record.jsonBytes()`, and `get`
///   returns exactly the stored bytes in `raw`. So a write whose answer was lost is recognised by its
///   bytes on the next read.
/// - **Compare before write.** `update` stores its record only if the lock still holds exactly
///   `observedRaw`; `create` only if the lock does not exist. Otherwise it throws
///   `ResourceLockError.conflict`, and a conflict means nothing of this call is stored. No write may
///   replace content it was not shown.
/// - **Absence.** Only a lock that truly does not exist answers `nil` from `get`; every other failure
///   throws, so an unreachable store is never mistaken for an absent lock.
/// - **Failures.** `ResourceLockError.invalidRecord` for stored bytes that are not a record;
///   `ResourceLockError.permanent` for a failure no retry can heal (rejected credentials, a missing
///   store), which stops the app; any other error is transient and may have happened after the write
///   landed (the write is then in doubt). Every call ends within a timeout of its own and honours
///   task cancellation.
public protocol ResourceLock: Sendable {
    /// Reads the record, or `nil` when the lock does not exist yet.
    /// Throws `ResourceLockError.invalidRecord` when the stored bytes are not a record.
    func get() async throws -> ObservedRecord?
    /// Creates the lock holding `record`; throws `ResourceLockError.conflict` if it appeared meanwhile.
    func create(_ record: LeaderElectionRecord) async throws
    /// Replaces the record only if the stored bytes are still `observedRaw`; else `ResourceLockError.conflict`.
    func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8]) async throws
    /// Records a notable event, such as "napoleon became leader", where the lock's users can see it.
    func recordEvent(_ message: String) async
    /// The identity this lock writes as holder.
    var identity: String { get }
    /// A human description of the lock, used in log lines.
    var describe: String { get }
}

/// The failures of a `ResourceLock` that the elector treats specially; any other error is a failed attempt.
public struct ResourceLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, for log lines and metrics labels; codes are equal when their names are.
        private let name: String
        public var description: String { name }

        /// The lock changed between our read and our write.
        public static let conflict = Code(name: "conflict")
        /// The stored bytes are not a lease record.
        public static let invalidRecord = Code(name: "invalid record")
        /// A failure no retry can heal (rejected credentials, a store that does not exist).
        public static let permanent = Code(name: "permanent failure")
    }

    public let code: Code
    /// What went wrong and how to fix it, in one line.
    public let message: String
    /// For `invalidRecord`: the bytes found, so the elector can wait for them to stay unchanged.
    public let raw: [UInt8]

    /// The lock no longer holds what we last observed (or already exists, for `create`).
    public static func conflict(_ message: String) -> Self {
        Self(code: .conflict, message: message, raw: [])
    }

    /// The stored content is not a lease record; `raw` is what was found.
    public static func invalidRecord(_ message: String, raw: [UInt8]) -> Self {
        Self(code: .invalidRecord, message: message, raw: raw)
    }

    /// A failure that retrying cannot heal; `message` says what to change.
    public static func permanent(_ message: String) -> Self {
        Self(code: .permanent, message: message, raw: [])
    }

    public var description: String { message }
}
