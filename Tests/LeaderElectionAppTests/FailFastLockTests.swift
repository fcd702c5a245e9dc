import Foundation
import LeaderElection
import LeaderElectionTestKit
import Logging
import ServiceLifecycle
import Testing

@testable import leader_election

/// A lock that answers every call with the error it was given.
private struct FailingLock: ResourceLock {
    let error: ResourceLockError
    var identity: String { "napoleon" }
    var describe: String { "failing lock" }
    func get() async throws -> ObservedRecord? { throw error }
    func create(_ record: LeaderElectionRecord) async throws { throw error }
    func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8]) async throws { throw error }
    func recordEvent(_ message: String) async {}
}

/// What the wrapped lock's callback saw.
private actor Failures {
    private(set) var seen: [String] = []
    func add(_ error: ResourceLockError) { seen.append(error.description) }
}

@Suite struct FailFastLockTests {
    private let record = LeaderElectionRecord(
        holderIdentity: "napoleon", leaseDurationSeconds: 4, acquireTime: ManualClock.wallStart,
        renewTime: ManualClock.wallStart, leaderTransitions: 1)

    @Test func aPermanentFailureIsReportedOncePerCallAndStillThrownToTheElector() async throws {
        let failures = Failures()
        let lock = FailFastLock(wrapped: FailingLock(error: .permanent("the token was revoked"))) { await failures.add($0) }
        await #expect(throws: ResourceLockError.self) { _ = try await lock.get() }
        await #expect(throws: ResourceLockError.self) { try await lock.create(record) }
        await #expect(throws: ResourceLockError.self) { try await lock.update(record, expecting: []) }
        #expect(await failures.seen == Array(repeating: "the token was revoked", count: 3))
        #expect(lock.identity == "napoleon" && lock.describe == "failing lock")
    }

    @Test(arguments: [ResourceLockError.conflict("b wrote first"), .invalidRecord("not JSON", raw: [1])])
    func errorsARetryCanHealAreOnlyPassedOn(error: ResourceLockError) async throws {
        let failures = Failures()
        let lock = FailFastLock(wrapped: FailingLock(error: error)) { await failures.add($0) }
        await #expect(throws: ResourceLockError.self) { _ = try await lock.get() }
        await #expect(throws: ResourceLockError.self) { try await lock.update(record, expecting: []) }
        #expect(await failures.seen.isEmpty)
    }

    @Test func theStoreIsReadAndWrittenThroughTheWrappedLock() async throws {
        let store = LeaseStore()
        let failures = Failures()
        let lock = FailFastLock(wrapped: InMemoryLock(store: store, identity: "napoleon")) { await failures.add($0) }
        try await lock.create(record)
        #expect(try await lock.get()?.record == record)
        #expect(await failures.seen.isEmpty)
    }
}

/// Runs until the group shuts down gracefully.
private struct Idle: Service {
    func run() async throws {
        try await gracefulShutdown()
    }
}

@Suite struct StopperTests {
    @Test func aPermanentFailureShutsTheGroupDownAndTheFirstReasonIsKept() async throws {
        let stopper = Stopper()
        let group = ServiceGroup(services: [Idle()], logger: .init(label: "stopper-test"))
        await stopper.attach(group)
        async let running: Void = group.run()
        await stopper.stop(because: .permanent("gist abc was deleted"))
        await stopper.stop(because: .permanent("a second failure"))
        // The group only ends if the stopper shut it down; the suite's time limit is the ceiling.
        try await running
        #expect(await stopper.failure?.description == "gist abc was deleted")
    }

    @Test func withoutAFailureThereIsNoReason() async {
        #expect(await Stopper().failure == nil)
    }
}
