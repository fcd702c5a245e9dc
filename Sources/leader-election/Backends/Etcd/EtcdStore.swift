// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
import EtcdLock
import Foundation
import LeaderElection
import Logging

/// The etcd lock's store: one key, `<prefix>/<election>`, on a cluster reached through any of its members.
struct EtcdStore: LockStore {
    let settings: EtcdSettings

    func start(run: RunSettings, metrics: AppMetrics, logger: Logger) async throws -> RunningLock {
        let lock = try settings.lock(identity: run.identity, logger: logger)
        logger.info(
            "electing through etcd",
            metadata: ["etcd.key": "\(lock.key)", "etcd.endpoints": "\(Self.list(lock.endpoints))"])
        try await StartupCheck.lockIsReachable(lock, logger: logger)
        let etcd = EtcdMetrics(registry: metrics.registry)
        return RunningLock(
            lock: lock, facts: ["etcdKey": lock.key, "etcdEndpoints": Self.list(lock.endpoints)],
            refreshMetrics: { etcd.refresh(endpoints: lock.endpoints, answering: await lock.memberAnswering()) })
    }

    func status() async throws -> LockStatus {
        let lock = try settings.lock(identity: "status", logger: Self.quiet)
        let observed = try await lock.get()
        let member = await lock.memberAnswering()
        // Whether a run with these settings could renew, found without writing: a read-only role passes
        // the read above and would only fail at the first write.
        let writes: String
        do {
            try await lock.checkWriteAccess()
            writes = "permitted"
        } catch {
            writes = "refused (\(error))"
        }
        return Self.status(key: lock.key, endpoints: lock.endpoints, member: member, observed: observed, writes: writes)
    }

    /// What `status` shows of `key`; `member` is the member that answered the read, `writes` whether
    /// this user may write the key ("permitted" or "refused (why)").
    static func status(key: String, endpoints: [URL], member: URL?, observed: ObservedRecord?, writes: String) -> LockStatus {
        LockStatus(
            observed: observed, place: "etcd key \(key)", missing: "the key does not exist yet",
            facts: [
                LockFact(key: "key", value: key),
                LockFact(key: "endpoints", value: list(endpoints), label: "endpoints"),
                LockFact(key: "member", value: member?.absoluteString ?? "none", label: "member", note: "answered the read"),
                LockFact(
                    key: "writes", value: writes, label: "writes", note: writes == "permitted" ? "checked without writing" : nil),
            ])
    }

    /// Reads the key: when absent, creates the free record the election would write itself; a record is
    /// left as it is; bytes that are not a record are an error. The line is the key.
    func initialize() async throws -> String {
        let lock = try settings.lock(identity: "init", logger: Self.quiet)
        if try await lock.get() == nil {
            let free = LeaderElectionRecord(
                holderIdentity: "", leaseDurationSeconds: 1, acquireTime: nil, renewTime: nil, leaderTransitions: 0)
            do {
                try await lock.create(free)
            } catch let error as ResourceLockError where error.code == .conflict {
                // Another copy or init created it between the read and the write: the key is there, as asked.
            }
        }
        return lock.key
    }

    private static let quiet = Logger(label: "etcd", factory: { _ in SwiftLogNoOpLogHandler() })

    private static func list(_ endpoints: [URL]) -> String {
        endpoints.map(\.absoluteString).joined(separator: ",")
    }
}
#endif
