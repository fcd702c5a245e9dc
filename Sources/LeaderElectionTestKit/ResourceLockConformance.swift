import Foundation
public import LeaderElection

/// What the conformance suite needs of a lock implementation: locks on one shared, initially empty
/// store, and a way to make a write land while its answer is lost.
public protocol ResourceLockFixture: Sendable {
    /// A lock on this fixture's store, writing as `identity`.
    func lock(identity: String) async throws -> any ResourceLock
    /// Makes the next write land in the store but fail at the writer, as a timeout after the request
    /// arrived would.
    func loseNextAnswer() async throws
}

/// The `ResourceLock` contract as checks that any implementation must pass: exact bytes, a conflict on
/// stale bytes, create races, release, and a write in doubt. Each check runs on a fresh fixture.
public enum ResourceLockConformance {
    /// One check: a name, and a body that throws `ConformanceFailure` when the lock breaks the contract.
    public struct Check: Sendable {
        public let name: String
        let body: @Sendable (any ResourceLockFixture) async throws -> Void
    }

    /// Runs every check, each on a fixture of its own; returns one line per failed check (empty when
    /// the lock conforms).
    public static func failures(
        _ makeFixture: @Sendable () async throws -> any ResourceLockFixture
    ) async -> [String] {
        var failures: [String] = []
        for check in checks {
            do {
                try await check.body(try await makeFixture())
            } catch {
                failures.append("\(check.name): \(error)")
            }
        }
        return failures
    }

    public static let checks: [Check] = [
        Check(name: "a lock that does not exist reads as nil") { fixture in
            let lock = try await fixture.lock(identity: "a")
            try expect(try await lock.get() == nil, "get() of an empty store returned a record")
        },
        Check(name: "create stores exactly the record's bytes") { fixture in
            let lock = try await fixture.lock(identity: "a")
            let record = claim("a", term: 3)
            try await lock.create(record)
            let stored = try await lock.get()
            try expect(stored?.raw == record.jsonBytes(), "get() after create did not return record.jsonBytes()")
            try expect(stored?.record == record, "get() after create returned another record")
        },
        Check(name: "create over an existing lock is a conflict") { fixture in
            let a = try await fixture.lock(identity: "a")
            let b = try await fixture.lock(identity: "b")
            try await a.create(claim("a", term: 0))
            try await expectConflict("create over a's record") { try await b.create(claim("b", term: 0)) }
            try expect(try await b.get()?.record.holderIdentity == "a", "the failed create changed the lock")
        },
        Check(name: "of two simultaneous creates exactly one wins") { fixture in
            let a = try await fixture.lock(identity: "a")
            let b = try await fixture.lock(identity: "b")
            async let first = outcome { try await a.create(claim("a", term: 0)) }
            async let second = outcome { try await b.create(claim("b", term: 0)) }
            let results = await [first, second]
            let winners = results.filter { $0 == nil }.count
            try expect(winners == 1, "\(winners) creates succeeded: \(results.map { $0 ?? "ok" })")
            for case .some(let failure) in results {
                try expect(failure == "conflict", "the losing create failed with \(failure), not a conflict")
            }
            let holder = try await a.get()?.record.holderIdentity
            let winner = results[0] == nil ? "a" : "b"
            try expect(holder == winner, "the lock names \(holder ?? "nobody"), not the create that succeeded")
        },
        Check(name: "an update on stale bytes is a conflict and stores nothing") { fixture in
            let (a, b, seen) = try await claimedByA(fixture)
            var renewed = claim("a", term: 1)
            renewed.renewTime = renewed.renewTime?.addingTimeInterval(2)
            try await a.update(renewed, expecting: seen.raw)
            try await expectConflict("b's update on bytes a replaced") {
                try await b.update(claim("b", term: 2), expecting: seen.raw)
            }
            try expect(try await a.get()?.raw == renewed.jsonBytes(), "the refused update changed the lock")
        },
        Check(name: "an update on current bytes stores exactly the record's bytes") { fixture in
            let (a, b, seen) = try await claimedByA(fixture)
            let takeover = claim("b", term: 2)
            try await b.update(takeover, expecting: seen.raw)
            try expect(try await a.get()?.raw == takeover.jsonBytes(), "get() after update did not return its bytes")
        },
        Check(name: "a release stores the empty holder") { fixture in
            let a = try await fixture.lock(identity: "a")
            try await a.create(claim("a", term: 4))
            let seen = try required(try await a.get(), "the record a created")
            var released = claim("", term: 4)
            released.leaseDurationSeconds = 1
            try await a.update(released, expecting: seen.raw)
            let stored = try await a.get()
            try expect(stored?.raw == released.jsonBytes(), "get() after the release did not return its bytes")
            try expect(stored?.record.holderIdentity == "", "the released lock still names a holder")
        },
        Check(name: "a write in doubt is neither a conflict nor permanent, and shows in the next read") { fixture in
            let a = try await fixture.lock(identity: "a")
            try await a.create(claim("a", term: 1))
            let seen = try required(try await a.get(), "the record a created")
            try await fixture.loseNextAnswer()
            var renewed = claim("a", term: 1)
            renewed.renewTime = renewed.renewTime?.addingTimeInterval(2)
            let failure = await outcome { try await a.update(renewed, expecting: seen.raw) }
            try expect(failure != nil, "the write whose answer was lost reported success")
            try expect(
                failure != "conflict" && failure != "permanent failure",
                "a lost answer was reported as \(failure ?? "success"): the elector would not know it may have landed")
            try expect(
                try await a.get()?.raw == renewed.jsonBytes(),
                "the next read did not show exactly the bytes of the write in doubt")
        },
    ]

    /// Locks for "a" and "b" once a has created its claim of term 1, with the record b reads then.
    private static func claimedByA(_ fixture: any ResourceLockFixture) async throws
        -> (a: any ResourceLock, b: any ResourceLock, seen: ObservedRecord)
    {
        let a = try await fixture.lock(identity: "a")
        let b = try await fixture.lock(identity: "b")
        try await a.create(claim("a", term: 1))
        return (a, b, try required(try await b.get(), "the record a created"))
    }

    private static func claim(_ holder: String, term: Int) -> LeaderElectionRecord {
        let at = ManualClock.wallStart
        return LeaderElectionRecord(
            holderIdentity: holder, leaseDurationSeconds: 10, acquireTime: at, renewTime: at, leaderTransitions: term)
    }

    /// nil on success; otherwise the `ResourceLockError` code, or "other: <error>".
    private static func outcome(_ call: () async throws -> Void) async -> String? {
        do {
            try await call()
            return nil
        } catch let error as ResourceLockError {
            return error.code.description
        } catch {
            return "other: \(error)"
        }
    }

    private static func expectConflict(_ what: String, _ call: () async throws -> Void) async throws {
        let result = await outcome(call)
        try expect(result == "conflict", "\(what) ended with \(result ?? "success"), not a conflict")
    }

    private static func required(_ observed: ObservedRecord?, _ what: String) throws -> ObservedRecord {
        guard let observed else { throw ConformanceFailure("\(what) is missing") }
        return observed
    }

    private static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ConformanceFailure(message()) }
    }
}

/// A broken rule of the `ResourceLock` contract.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
