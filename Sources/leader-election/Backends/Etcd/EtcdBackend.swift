// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
import EtcdLock
import Foundation
import LeaderElection

extension EtcdOptions: LockBackend {
    static let name = "etcd"
    static let lockName = "the etcd key <prefix>/<election>"
    static let initSummary =
        "reads the key, through the first member that answers; when the key does not exist, "
        + "creates it holding the free record the election would write itself (holder empty, term 0). A record "
        + "already there is left as it is; a key holding something else is an error and left untouched. Prints the key."

    /// Every variable the etcd lock reads.
    static let variables = [
        "LEADER_ELECTION_ETCD_ENDPOINTS", "LEADER_ELECTION_ETCD_PREFIX", "LEADER_ELECTION_ETCD_CA_FILE",
        "LEADER_ELECTION_ETCD_CERT_FILE", "LEADER_ELECTION_ETCD_KEY_FILE", "LEADER_ELECTION_ETCD_USERNAME",
        "LEADER_ELECTION_ETCD_PASSWORD_FILE", "LEADER_ELECTION_ETCD_PASSWORD",
    ]

    func given(environment: [String: String]) -> [String] {
        Self.given(
            flags: [
                ("--etcd-endpoints", etcdEndpoints != nil), ("--etcd-prefix", etcdPrefix != nil),
                ("--etcd-ca-file", etcdCAFile != nil), ("--etcd-cert-file", etcdCertFile != nil),
                ("--etcd-key-file", etcdKeyFile != nil), ("--etcd-username", etcdUsername != nil),
                ("--etcd-password-file", etcdPasswordFile != nil),
            ], variables: Self.variables, environment: environment)
    }

    func open(_ lock: LockSettings, extras: [any BackendExtraOptions], environment: [String: String]) throws -> any LockStore {
        EtcdStore(settings: try EtcdSettings(self, lock: lock, environment: environment))
    }

    static func defaults(config: LeaderElectionConfig) -> [String: any Sendable] {
        ["etcdPrefix": EtcdConfiguration.defaultPrefix]
    }
}
#endif
