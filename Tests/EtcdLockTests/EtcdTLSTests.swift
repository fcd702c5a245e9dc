import EtcdLock
import Foundation
import LeaderElection
import Logging
import Testing

/// `EtcdLock` against an etcd that serves https and requires a client certificate signed by its CA.
@Suite(.serialized, .timeLimit(.minutes(5))) struct EtcdTLSTests {
    static func lock(_ etcd: EtcdServer, _ tls: EtcdTLS) throws -> EtcdLock {
        try EtcdLock(
            configuration: EtcdConfiguration(endpoints: [etcd.clientURL], requestTimeout: .seconds(20), tls: tls),
            election: "tests", identity: "a", logger: Logger(label: "etcd-tls-tests"))
    }

    @Test func aCAAndAClientCertificateReadAndWrite() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        try await EtcdServer.with(tls: certificates) { etcd in
            let lock = try Self.lock(etcd, certificates.clientTLS())
            let record = EtcdLockTests.record("a")
            try await lock.create(record)
            #expect(try await lock.get()?.raw == record.jsonBytes())
        }
    }

    @Test func withoutTheClientCertificateTheMemberRefuses() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        try await EtcdServer.with(tls: certificates) { etcd in
            let lock = try Self.lock(etcd, EtcdTLS(caFile: certificates.ca))
            await #expect(throws: EtcdError.self) { _ = try await lock.get() }
        }
    }

    @Test func aServerOutsideTheCAIsNotTrusted() async throws {
        let certificates = try TestCertificates.make()
        let stranger = try TestCertificates.make()
        defer {
            certificates.remove()
            stranger.remove()
        }
        try await EtcdServer.with(tls: certificates) { etcd in
            let lock = try Self.lock(etcd, certificates.clientTLS(trusting: stranger.ca))
            await #expect(throws: EtcdError.self) { _ = try await lock.get() }
        }
    }

    @Test func aCertificateWithoutItsKeyIsRefusedAtOnce() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        #expect(throws: EtcdConfigurationError.self) {
            _ = try EtcdLock(
                configuration: EtcdConfiguration(
                    endpoints: [URL(string: "https://127.0.0.1:2379")!],
                    tls: EtcdTLS(caFile: certificates.ca, clientCertificateFile: certificates.clientCertificate)),
                identity: "a", logger: Logger(label: "etcd-tls-tests"))
        }
    }
}
