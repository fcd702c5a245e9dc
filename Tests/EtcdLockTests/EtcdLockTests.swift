import EtcdLock
import Foundation
import LeaderElection
import Logging
import Testing

/// `EtcdLock` against a real etcd: the bytes under the key, failover between members, conflicts with
/// other writers, timeouts and cancellation.
@Suite(.serialized, .timeLimit(.minutes(5))) struct EtcdLockTests {
    static let at = Date(timeIntervalSince1970: 1_700_000_000)

    static func record(_ holder: String, term: Int = 1) -> LeaderElectionRecord {
        LeaderElectionRecord(
            holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: at, renewTime: at, leaderTransitions: term)
    }

    static func lock(
        _ endpoints: [URL], identity: String = "a", prefix: String = EtcdConfiguration.defaultPrefix,
        timeout: Duration = .seconds(20), credentials: EtcdCredentials? = nil
    ) throws -> EtcdLock {
        try EtcdLock(
            configuration: EtcdConfiguration(
                endpoints: endpoints, prefix: prefix, requestTimeout: timeout, credentials: credentials),
            election: "tests", identity: identity, logger: Logger(label: "etcd-lock-tests"))
    }

    static func localURL(_ port: Int) -> URL { URL(string: "http://127.0.0.1:\(port)")! }

    @Test func theKeyHoldsExactlyTheRecordBytes() async throws {
        try await EtcdServer.with { etcd in
            let lock = try Self.lock([etcd.clientURL])
            #expect(lock.key == "/leader-election/tests")
            let record = Self.record("a", term: 3)
            try await lock.create(record)
            let stored = try etcd.etcdctl(["get", "--print-value-only", lock.key])
            // etcdctl ends the value with a newline of its own.
            #expect([UInt8](stored) == record.jsonBytes() + [UInt8(ascii: "\n")])
            #expect(try await lock.get()?.raw == record.jsonBytes())
        }
    }

    /// The message quotes the first bytes on one line, escaped as the app's log lines escape text.
    @Test func aValueThatIsNotARecordIsInvalidAndKeptAsFound() async throws {
        try await EtcdServer.with { etcd in
            let lock = try Self.lock([etcd.clientURL])
            let value = "not a record\nI0101 forged\u{1B}[2J \"x\""
            try etcd.etcdctl(["put", lock.key, value])
            await #expect {
                _ = try await lock.get()
            } throws: { error in
                let error = error as? ResourceLockError
                return error?.code == .invalidRecord && error?.raw == Array(value.utf8)
                    && error?.message.contains(#"first bytes: "not a record\nI0101 forged\u001b[2J \"x\"""#) == true
            }
        }
    }

    @Test func aWriteByAnotherClientMeanwhileIsAConflict() async throws {
        try await EtcdServer.with { etcd in
            let lock = try Self.lock([etcd.clientURL])
            try await lock.create(Self.record("a"))
            let seen = try #require(try await lock.get())
            let other = Self.record("b", term: 2)
            try etcd.etcdctl(["put", lock.key, String(decoding: other.jsonBytes(), as: UTF8.self)])
            await #expect {
                try await lock.update(Self.record("a", term: 1), expecting: seen.raw)
            } throws: { ($0 as? ResourceLockError)?.code == .conflict }
            let stored = try etcd.etcdctl(["get", "--print-value-only", lock.key])
            #expect([UInt8](stored) == other.jsonBytes() + [UInt8(ascii: "\n")])
        }
    }

    @Test func aMemberThatRefusesConnectionsIsPassedOver() async throws {
        try await EtcdServer.with { etcd in
            let down = Self.localURL(try FreePort.take())
            let lock = try Self.lock([down, etcd.clientURL])
            try await lock.create(Self.record("a"))
            #expect(try await lock.get()?.record.holderIdentity == "a")
        }
    }

    @Test func aMemberThatNeverAnswersIsPassedOverAfterTheTimeout() async throws {
        let silent = try await SilentServer.start()
        defer { Task { await silent.stop() } }
        try await EtcdServer.with { etcd in
            let lock = try Self.lock([Self.localURL(silent.port), etcd.clientURL], timeout: .seconds(3))
            #expect(try await lock.get() == nil)
            try await lock.create(Self.record("a"))
            #expect(try await lock.get()?.record.holderIdentity == "a")
        }
    }

    @Test func aRequestWithoutAnAnswerEndsAtItsTimeoutAsATransientFailure() async throws {
        let silent = try await SilentServer.start()
        defer { Task { await silent.stop() } }
        let lock = try Self.lock([Self.localURL(silent.port)], timeout: .milliseconds(500))
        await #expect {
            _ = try await lock.get()
        } throws: { error in
            (error as? EtcdError)?.message.contains("no answer within") == true
        }
        // A write that got no answer may have landed: in doubt, neither a conflict nor permanent.
        await #expect {
            try await lock.create(Self.record("a"))
        } throws: { ($0 as? EtcdError)?.writeInDoubt == true }
    }

    @Test func cancellationEndsACallAtOnce() async throws {
        let silent = try await SilentServer.start()
        defer { Task { await silent.stop() } }
        let lock = try Self.lock([Self.localURL(silent.port)], timeout: .seconds(3600))
        let call = Task { try await lock.get() }
        var connections = silent.connections.makeAsyncIterator()
        _ = await connections.next()
        call.cancel()
        await #expect(throws: CancellationError.self) { _ = try await call.value }
    }

    /// A create whose answer was lost on one member is retried on the next, where the compare fails
    /// on our own bytes: that is our write, a success, not a conflict.
    @Test func aWriteAppliedWithoutAnAnswerIsRecognisedOnTheNextMember() async throws {
        try await EtcdServer.with { etcd in
            let proxy = try await AnswerDroppingProxy.start(upstreamPort: etcd.clientURL.port!)
            let lock = try Self.lock([Self.localURL(proxy.port), etcd.clientURL])
            proxy.dropNextTransactionAnswer()
            let record = Self.record("a")
            try await lock.create(record)
            await proxy.stop()
            let stored = try etcd.etcdctl(["get", "--print-value-only", lock.key])
            #expect([UInt8](stored) == record.jsonBytes() + [UInt8(ascii: "\n")])
        }
    }

    @Test func anAnswerAboveTheBoundIsRefused() async throws {
        let server = try await OversizedAnswerServer.start(size: 64 * 1024)
        let lock = try EtcdLock(
            configuration: EtcdConfiguration(
                endpoints: [Self.localURL(server.port)], requestTimeout: .seconds(20), maxAnswerBytes: 16 * 1024),
            election: "tests", identity: "a", logger: Logger(label: "etcd-lock-tests"))
        await #expect {
            _ = try await lock.get()
        } throws: { error in
            (error as? EtcdError)?.message.contains("more than 16384 bytes") == true
        }
        await server.stop()
    }

    @Test func settingsItCannotWorkWithAreRefusedWithTheFix() throws {
        #expect(throws: EtcdConfigurationError.self) { try Self.lock([]) }
        #expect(throws: EtcdConfigurationError.self) { try Self.lock([URL(string: "unix:///run/etcd.sock")!]) }
        let secret = EtcdCredentials(username: "root", password: "hunter2")
        #expect(!"\(secret)".contains("hunter2"))
        #expect(!String(reflecting: secret).contains("hunter2"))
        #expect(!"\(Mirror(reflecting: secret).children.map { "\($0.value)" })".contains("hunter2"))
    }
}
