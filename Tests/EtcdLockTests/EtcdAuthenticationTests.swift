import EtcdLock
import Foundation
import LeaderElection
import Testing

/// `EtcdLock` against an etcd with authentication enabled (user root with the root role).
@Suite(.serialized, .timeLimit(.minutes(5))) struct EtcdAuthenticationTests {
    static let password = "s3cret-root-pw"

    /// A fresh etcd with authentication on.
    static func withAuthenticatedEtcd(_ body: (EtcdServer) async throws -> Void) async throws {
        try await EtcdServer.with { etcd in
            try etcd.etcdctl(["user", "add", "root:\(password)"])
            try etcd.etcdctl(["role", "add", "root"])
            try etcd.etcdctl(["user", "grant-role", "root", "root"])
            try etcd.etcdctl(["auth", "enable"])
            try await body(etcd)
        }
    }

    @Test func theRightPasswordReadsAndWrites() async throws {
        try await Self.withAuthenticatedEtcd { etcd in
            let lock = try EtcdLockTests.lock(
                [etcd.clientURL], credentials: EtcdCredentials(username: "root", password: Self.password))
            try await lock.create(EtcdLockTests.record("a"))
            #expect(try await lock.get()?.record.holderIdentity == "a")
        }
    }

    @Test func aWrongPasswordIsPermanentAndNamesTheFix() async throws {
        try await Self.withAuthenticatedEtcd { etcd in
            let lock = try EtcdLockTests.lock(
                [etcd.clientURL], credentials: EtcdCredentials(username: "root", password: "wrong-password"))
            await #expect {
                _ = try await lock.get()
            } throws: { error in
                let error = error as? ResourceLockError
                return error?.code == .permanent && error?.message.contains("check the etcd user name and password") == true
                    && error?.message.contains("wrong-password") == false
            }
        }
    }

    @Test func noCredentialsIsPermanentAndSaysToGiveThem() async throws {
        try await Self.withAuthenticatedEtcd { etcd in
            let lock = try EtcdLockTests.lock([etcd.clientURL])
            await #expect {
                _ = try await lock.get()
            } throws: { error in
                let error = error as? ResourceLockError
                return error?.code == .permanent && error?.message.contains("user name and password") == true
            }
        }
    }

    /// etcd drops a user's tokens when the password is set again; the lock authenticates anew.
    @Test func aTokenEtcdNoLongerAcceptsIsReplaced() async throws {
        try await Self.withAuthenticatedEtcd { etcd in
            let lock = try EtcdLockTests.lock(
                [etcd.clientURL], credentials: EtcdCredentials(username: "root", password: Self.password))
            try await lock.create(EtcdLockTests.record("a"))
            try etcd.etcdctl(
                ["--user", "root:\(Self.password)", "user", "passwd", "root", "--interactive=false"],
                input: "\(Self.password)\n")
            #expect(try await lock.get()?.record.holderIdentity == "a")
        }
    }
}
