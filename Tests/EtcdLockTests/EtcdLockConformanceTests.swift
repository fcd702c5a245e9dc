import EtcdLock
import Foundation
import LeaderElection
import LeaderElectionTestKit
import Logging
import Testing

/// `EtcdLock` keeps the `ResourceLock` contract against a real etcd; each check gets a key prefix of its
/// own, and a lost answer is a proxy that closes the connection when etcd's answer to a transaction
/// arrives, after etcd applied it.
@Suite(.serialized, .timeLimit(.minutes(5))) struct EtcdLockConformanceTests {
    struct Fixture: ResourceLockFixture {
        let proxy: AnswerDroppingProxy
        let prefix = "/conformance/\(UUID().uuidString)"

        func lock(identity: String) async throws -> any ResourceLock {
            try EtcdLock(
                configuration: EtcdConfiguration(
                    endpoints: [URL(string: "http://127.0.0.1:\(proxy.port)")!], prefix: prefix,
                    requestTimeout: .seconds(20)),
                election: "conformance", identity: identity, logger: Logger(label: "conformance"))
        }

        func loseNextAnswer() async throws { proxy.dropNextTransactionAnswer() }
    }

    @Test func conformsToTheResourceLockContract() async throws {
        try await EtcdServer.with { etcd in
            let proxy = try await AnswerDroppingProxy.start(upstreamPort: etcd.clientURL.port!)
            let failures = await ResourceLockConformance.failures { Fixture(proxy: proxy) }
            await proxy.stop()
            #expect(failures == [])
        }
    }
}
