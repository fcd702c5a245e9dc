import Foundation
import InMemoryLogging
import Logging
import LeaderElection
import LeaderElectionTestKit
import Testing

@Suite(.timeLimit(.minutes(1))) struct MetricsAndLoggingTests {
    let h = Harness()

    @Test func countsLockCallsTransitionsAndLeadership() async throws {
        let metrics = RecordingMetrics(election: "test-election")
        let lock = FakeLock(identity: "a")
        await lock.script(
            get: [.networkError, .notFound, .invalid([1]), .networkError], create: [.ok], update: [.ok, .conflict])
        let elector = h.elector(lock, metrics: metrics)
        let status = "leader_election_master_status"
        #expect(metrics.recorder(status, ["name": "test-election"]) == 0, "0 from the start")
        let task = h.start(elector)
        // t=0: network error; 2: created; 4: renewed by a write alone; 6: the write is refused, the read
        // shows invalid content, which ends the term, and the attempt that follows at once meets a
        // network error.
        await h.advance(by: .seconds(5), step: .seconds(1), settling: [elector])
        #expect(metrics.recorder(status, ["name": "test-election"]) == 1)
        await h.advance(by: .seconds(1), step: .seconds(1), settling: [elector])
        #expect(metrics.recorder(status, ["name": "test-election"]) == 0)
        task.cancel()
        try await task.value

        let ops = "leader_election_lock_operations_total"
        func count(_ op: String, _ outcome: String) -> Int64 {
            metrics.counter(ops, ["name": "test-election", "op": op, "outcome": outcome])
        }
        #expect(count("get", "error") == 2)
        #expect(count("get", "not_found") == 1)
        #expect(count("get", "success") == 0)
        #expect(count("get", "invalid") == 1)
        #expect(count("create", "success") == 1)
        #expect(count("update", "success") == 1)
        #expect(count("update", "conflict") == 1)
        #expect(metrics.counter("leader_election_transitions_total", ["name": "test-election"]) == 1)
        // Lost, or cut off: the two network errors are unreachable, the refused write a conflict.
        func errors(_ kind: String) -> Int64 {
            metrics.counter("leader_election_lock_errors_total", ["name": "test-election", "kind": kind])
        }
        #expect(errors("unreachable") == 2)
        #expect(errors("conflict") == 1)
        #expect(errors("throttled") == 0)
        #expect(errors("rejected") == 0)
    }

    @Test func logsTheMessagesTheAppAndSystemTestsLookFor() async throws {
        let lock = FakeLock(identity: "napoleon")
        await lock.script(get: [.record(record("stalin")), .record(record("stalin")), .record(record(""))], update: [.ok])
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(4), step: .seconds(2), settling: [elector])
        task.cancel()
        try await task.value

        let attempting = "attempting to acquire leader lease fake lock: napoleon..."
        let acquired = "successfully acquired lease fake lock: napoleon"
        #expect(h.messages.filter { $0 == attempting }.count == 1, "logged once per round of attempts")
        let order = h.messages.filter { $0 == attempting || $0 == acquired }
        #expect(order == [attempting, acquired])
        #expect(h.logs.entries.first { $0.message.description == acquired }?.metadata["term"] == "1")
    }

    /// Every lifecycle line carries a stable `event` key, whatever its wording.
    @Test func lifecycleLinesCarryTheirEvent() async throws {
        let store = LeaseStore()
        let elector = h.elector(InMemoryLock(store: store, identity: "a"), config: Harness.config(release: true))
        let task = await h.running(elector)
        await store.failWrites(1)
        await h.advance(by: .seconds(4), step: .seconds(2), settling: [elector])
        await store.overwrite(record("b", transitions: 9).jsonBytes())
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        #expect(await elector.status().isLeader == false)
        task.cancel()
        try await task.value
        let events = h.logs.entries.compactMap { entry in
            entry.metadata[ElectionEvent.metadataKey].map { "\($0)" }
        }
        #expect(events == ["acquiring", "acquired", "renew_failed", "lost", "acquiring"])
        let acquired = h.logs.entries.first { $0.metadata[ElectionEvent.metadataKey] == "acquired" }
        #expect(acquired?.metadata["term"] == "0")
    }
}
