import LeaderElection
import LeaderElectionTestKit
import Testing

/// The in-memory lock the elector's tests stand on keeps the same contract as a real one.
@Suite struct InMemoryLockConformanceTests {
    struct Fixture: ResourceLockFixture {
        let store = LeaseStore()
        func lock(identity: String) async throws -> any ResourceLock { InMemoryLock(store: store, identity: identity) }
        func loseNextAnswer() async throws { await store.loseAnswers() }
    }

    @Test func conformsToTheResourceLockContract() async {
        #expect(await ResourceLockConformance.failures { Fixture() } == [])
    }

    /// The suite is only worth something if it catches a broken lock: one that writes blindly.
    @Test func theSuiteCatchesALockThatDoesNotCompare() async {
        struct BlindLock: ResourceLock {
            let inner: InMemoryLock
            var identity: String { inner.identity }
            var describe: String { "blind" }
            func get() async throws -> ObservedRecord? { try await inner.get() }
            func create(_ record: LeaderElectionRecord) async throws {
                if let current = try await inner.get() {
                    try await inner.update(record, expecting: current.raw)
                } else {
                    try await inner.create(record)
                }
            }
            func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8]) async throws {
                try await create(record)
            }
            func recordEvent(_ message: String) async {}
        }
        struct BlindFixture: ResourceLockFixture {
            let store = LeaseStore()
            func lock(identity: String) async throws -> any ResourceLock {
                BlindLock(inner: InMemoryLock(store: store, identity: identity))
            }
            func loseNextAnswer() async throws { await store.loseAnswers() }
        }
        let failures = await ResourceLockConformance.failures { BlindFixture() }
        #expect(failures.contains { $0.hasPrefix("create over an existing lock is a conflict") })
        #expect(failures.contains { $0.hasPrefix("an update on stale bytes is a conflict and stores nothing") })
    }
}
