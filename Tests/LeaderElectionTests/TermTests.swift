import Foundation
import InMemoryLogging
import Logging
@testable import LeaderElection
import LeaderElectionTestKit
import Testing

/// Every term handed to onStartedLeading is greater than any term this copy has seen or started, so a
/// workload can fence with it (lease 10s, deadline 5s, retry 2s).
@Suite(.timeLimit(.minutes(1))) struct TermTests {
    let h = Harness()

    /// A copy restarted with its old identity finds a record naming itself; resuming it would start a
    /// term its previous run already led. It claims it at once, with a new term.
    @Test func aRestartedCopyClaimsItsOwnRecordAtOnceWithANewTerm() async throws {
        let store = LeaseStore(raw: record("a", transitions: 3).jsonBytes())
        let elector = h.elector(InMemoryLock(store: store, identity: "a"))
        let task = await h.running(elector)
        #expect(await elector.status().isLeader)
        #expect(await h.callbacks.entries.contains("started:4"))
        #expect(await store.record?.leaderTransitions == 4)
        task.cancel()
        try await task.value
    }

    /// An acquisition that took the whole renew deadline (slow requests) must not start the work.
    @Test func anAcquisitionSlowerThanTheRenewDeadlineDoesNotLead() async throws {
        let store = LeaseStore()
        let lock = InMemoryLock(
            store: store, identity: "a", latency: .init(read: .seconds(3), write: .seconds(3)), clock: h.clock)
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(30), step: .seconds(1), settling: [elector])
        #expect(await h.callbacks.entries.contains { $0.hasPrefix("started:") } == false)
        #expect(
            h.logs.entries.contains {
                $0.metadata[ElectionEvent.metadataKey] == "acquired_too_late"
                    && $0.message.description.hasPrefix("acquired lease in-memory lock: a too late to lead: the attempt took 6s")
            })
        task.cancel()
        await h.settle([elector])
        await h.clock.advance(by: .seconds(3))
        try await task.value
    }

    /// The one account of terms: a term seen may be started once, a term started never again, and the
    /// next claim goes past both.
    @Test func aTermSeenMayBeStartedOnceAndNeverAgain() {
        var terms = Terms()
        #expect(terms.next == 0)
        #expect(terms.mayStart(0))
        terms.saw(4)
        #expect(terms.next == 5)
        #expect(terms.mayStart(4), "seen, as when our own claim in doubt is read back, not yet started")
        #expect(!terms.mayStart(3))
        terms.started(4)
        #expect(!terms.mayStart(4), "started once")
        #expect(terms.next == 5)
        terms.saw(4)
        #expect(!terms.mayStart(4), "seeing its own term again does not make it new")
        terms.saw(2)
        #expect(terms.highest == 4)
        terms.saw(LeaderElectionRecord.highestTerm)
        #expect(terms.next == nil, "no term is left past the highest a record may hold")
    }
}
