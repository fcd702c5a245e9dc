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

/// `checkWriteAccess()`: `status` and the deploy's check find a user that may only read before a copy
/// runs with it, and the check writes nothing.
@Suite(.serialized, .timeLimit(.minutes(5))) struct EtcdWriteAccessTests {
    /// The store's revision, which every write raises.
    static func revision(_ etcd: EtcdServer) throws -> Int {
        let answer = try etcd.etcdctl([
            "--user", "root:\(EtcdAuthenticationTests.password)", "get", "/", "--prefix", "-w", "json",
        ])
        let json = try #require(try JSONSerialization.jsonObject(with: answer) as? [String: Any])
        let header = try #require(json["header"] as? [String: Any])
        return try #require((header["revision"] as? NSNumber)?.intValue)
    }

    @Test func aUserWhoMayOnlyReadIsRefusedAndAWriterWritesNothing() async throws {
        try await EtcdAuthenticationTests.withAuthenticatedEtcd { etcd in
            let root = "root:\(EtcdAuthenticationTests.password)"
            try etcd.etcdctl(["--user", root, "user", "add", "reader:reader-pw"])
            try etcd.etcdctl(["--user", root, "role", "add", "reader"])
            try etcd.etcdctl(["--user", root, "role", "grant-permission", "reader", "--prefix=true", "read", "/leader-election/"])
            try etcd.etcdctl(["--user", root, "user", "grant-role", "reader", "reader"])
            let writer = try EtcdLockTests.lock(
                [etcd.clientURL], credentials: EtcdCredentials(username: "root", password: EtcdAuthenticationTests.password))
            try await writer.create(EtcdLockTests.record("a"))
            let before = try Self.revision(etcd)
            try await writer.checkWriteAccess()
            #expect(try Self.revision(etcd) == before)
            #expect(try await writer.get()?.record.holderIdentity == "a")

            let reader = try EtcdLockTests.lock(
                [etcd.clientURL], credentials: EtcdCredentials(username: "reader", password: "reader-pw"))
            #expect(try await reader.get()?.record.holderIdentity == "a")
            await #expect {
                try await reader.checkWriteAccess()
            } throws: { error in
                let error = error as? ResourceLockError
                return error?.code == .permanent && error?.message.contains("etcd denied user reader") == true
                    && error?.message.contains("readwrite permission") == true
            }
            #expect(try Self.revision(etcd) == before)
        }
    }

    /// Without authentication every client may write; the check passes on a missing key and leaves it missing.
    @Test func withoutAuthenticationTheCheckPassesAndCreatesNothing() async throws {
        try await EtcdServer.with { etcd in
            let lock = try EtcdLockTests.lock([etcd.clientURL])
            try await lock.checkWriteAccess()
            #expect(try await lock.get() == nil)
        }
    }
}
