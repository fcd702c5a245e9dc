// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
public import Foundation
public import LeaderElection
public import Logging
import TextEscaping

/// A `ResourceLock` whose record is the value of one etcd key, `<prefix>/<election>`, holding exactly
/// `LeaderElectionRecord.jsonBytes()`, so that `etcdctl get` shows the JSON.
///
/// It speaks etcd's v3 API through the JSON gateway etcd serves for the same API (`/v3/kv/range`,
/// `/v3/kv/txn`, `/v3/auth/authenticate`; etcd 3.4 and newer), over AsyncHTTPClient: the gRPC API
/// would need grpc-swift and swift-protobuf, whose first build costs minutes that CI pays on every
/// run, for three calls that the gateway serves as well. (Not URLSession: see `EtcdExchange`.)
///
/// - `get` reads the key (a linearizable range) and remembers its `mod_revision` with its bytes.
/// - `create` is a transaction on `create_revision == 0`; `update` a transaction on the remembered
///   `mod_revision` when `observedRaw` is what was read, else on the value being exactly `observedRaw`.
///   A failed compare is a conflict; the transaction's failure branch reads the key, so the message
///   says what is there instead.
/// - Members: a call that fails on one (refused, timed out, 5xx, no leader) goes to the next. A write
///   that may have been applied by a member that did not answer is retried on the next; if that
///   compare then fails, the key holding exactly our bytes means our write landed (success), anything
///   else leaves the write in doubt (`EtcdError`, transient), never a conflict.
/// - Failures: rejected credentials and denied permissions are `ResourceLockError.permanent`;
///   everything else is `EtcdError`, transient. Each request has its own timeout; cancellation ends a
///   call at once.
/// - TLS: `https://` endpoints, verified against a CA file or the system trust store, with an optional
///   client certificate and key (`EtcdTLS`). Passwords and tokens are never printed.
public actor EtcdLock: ResourceLock {
    /// Written as `holderIdentity` when this copy takes the lease.
    public nonisolated let identity: String
    /// The key that holds the record.
    public nonisolated let key: String
    /// The members, in the order given.
    public nonisolated let endpoints: [URL]

    private let client: EtcdClient
    private let keyBytes: Data
    private let logger: Logger
    /// The bytes last read or written and the key's `mod_revision` then; dropped after any failure.
    private var seen: (raw: [UInt8], revision: Int64)?

    /// Throws `EtcdConfigurationError` for settings it cannot work with.
    /// - Parameters:
    ///   - configuration: members, key prefix, timeout, credentials, TLS.
    ///   - election: names the key `<prefix>/<election>`.
    ///   - identity: written as `holderIdentity` when this copy leads.
    ///   - logger: receives the events.
    public init(
        configuration: EtcdConfiguration, election: String = "multi-cluster-leader-election", identity: String,
        logger: Logger
    ) throws {
        let tls = try configuration.validate(election: election)
        self.identity = identity
        self.key = configuration.key(election: election)
        self.keyBytes = Data(key.utf8)
        self.endpoints = configuration.endpoints
        self.logger = logger
        self.client = EtcdClient(
            endpoints: configuration.endpoints, timeout: configuration.requestTimeout,
            maxAnswerBytes: configuration.maxAnswerBytes, credentials: configuration.credentials, tls: tls)
    }

    /// "etcd lock <key>: <identity>".
    public nonisolated var describe: String { "etcd lock \(key): \(identity)" }

    /// Reads the key: the record and its exact bytes, `nil` when the key does not exist.
    public func get() async throws -> ObservedRecord? {
        seen = nil
        let reply = try await client.call("v3/kv/range", EtcdRangeRequest(key: keyBytes), as: EtcdRangeResponse.self)
        guard let kv = reply.answer.kvs?.first else { return nil }
        let raw = [UInt8](kv.value ?? Data())
        if let revision = kv.modRevision?.value { seen = (raw, revision) }
        do {
            return ObservedRecord(record: try LeaderElectionRecord(jsonBytes: raw), raw: raw)
        } catch {
            throw ResourceLockError.invalidRecord(
                "etcd key \(key) does not hold a lease record (\(decodingReason(error))); first bytes: \(quotedPrefix(raw)); "
                    + "fix or delete it (etcdctl del \(key)), or let the election overwrite it once it stays unchanged "
                    + "for a lease duration",
                raw: raw)
        }
    }

    /// Creates the key holding `record` unless it exists (then `conflict`).
    public func create(_ record: LeaderElectionRecord) async throws {
        try await write(record, when: .absent(keyBytes), what: "create")
    }

    /// Replaces the record only if the key still holds exactly `observedRaw` (else `conflict`).
    public func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8]) async throws {
        let compare: EtcdCompare =
            if let seen, seen.raw == observedRaw {
                .modified(keyBytes, at: seen.revision)
            } else {
                .holds(keyBytes, Data(observedRaw))
            }
        try await write(record, when: compare, what: "update")
    }

    /// Throws unless this user may write the key, and writes nothing: a transaction whose compare never
    /// holds, with a put of the key in its success branch. etcd checks the permissions of every operation
    /// in both branches before it evaluates the compare, so a user who may only read is refused
    /// (`ResourceLockError.permanent`) as its first renewal would be.
    public func checkWriteAccess() async throws {
        let txn = EtcdTxnRequest(
            compare: [.never(keyBytes)], success: [EtcdRequestOp(requestPut: .init(key: keyBytes, value: Data()))],
            failure: [])
        let reply = try await client.call("v3/kv/txn", txn, as: EtcdTxnResponse.self)
        if reply.answer.succeeded == true {
            throw EtcdError(
                "the write check of etcd key \(key) took the branch whose compare never holds: this is not etcd's v3 "
                    + "gateway as documented; give an etcd 3.4+ client URL")
        }
    }

    /// The member whose answer the last call took, for `status`; `nil` before any member answered.
    public func memberAnswering() async -> URL? {
        await client.lastAnswered
    }

    /// Logs the event at info level with the lock and key as metadata.
    public func recordEvent(_ message: String) async {
        logger.info("\(message)", metadata: ["lock": "\(describe)", "etcd.key": "\(key)"])
    }

    /// One transaction: put our bytes if `compare` holds, else read the key.
    private func write(_ record: LeaderElectionRecord, when compare: EtcdCompare, what: String) async throws {
        seen = nil
        let bytes = record.jsonBytes()
        let txn = EtcdTxnRequest(
            compare: [compare],
            success: [EtcdRequestOp(requestPut: .init(key: keyBytes, value: Data(bytes)))],
            failure: [EtcdRequestOp(requestRange: EtcdRangeRequest(key: keyBytes))])
        let reply = try await client.call("v3/kv/txn", txn, as: EtcdTxnResponse.self)
        if reply.answer.succeeded == true {
            if let revision = reply.answer.header?.revision?.value { seen = (bytes, revision) }
            return
        }
        let current = reply.answer.responses?.first?.responseRange?.kvs?.first
        let found = current.map { [UInt8]($0.value ?? Data()) }
        if found == bytes {
            // Our own write, applied by a member whose answer was lost, or sent twice on the way.
            if let revision = current?.modRevision?.value { seen = (bytes, revision) }
            return
        }
        let holder =
            found.flatMap { try? LeaderElectionRecord(jsonBytes: $0) }.map {
                $0.holderIdentity.isEmpty ? "a free lease" : "\($0.holderIdentity)'s record"
            } ?? (found == nil ? "nothing" : "bytes that are not a record")
        if reply.afterDoubt {
            throw EtcdError(
                "the \(what) of etcd key \(key) is in doubt: a member took it without answering, and the key now holds "
                    + "\(holder); the next read settles it",
                writeInDoubt: true)
        }
        throw ResourceLockError.conflict(
            what == "create"
                ? "etcd key \(key) exists (it holds \(holder)): another candidate created it first"
                : "etcd key \(key) changed since it was read (it holds \(holder)): another candidate wrote it")
    }
}
#endif
