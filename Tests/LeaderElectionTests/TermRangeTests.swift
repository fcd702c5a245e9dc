import Foundation
import LeaderElection
import Testing

/// Terms at the top of the range: a term is never handed out twice, so none is claimed past
/// `LeaderElectionRecord.highestTerm`, and a record beyond it is invalid, with a message that says so.
@Suite(.timeLimit(.minutes(1))) struct TermRangeTests {
    let h = Harness()
    let lock = FakeLock(identity: "a")

    @Test func theLastTermIsClaimedOnce() async throws {
        let released = record("", transitions: LeaderElectionRecord.highestTerm - 1, leaseSeconds: 1)
        await lock.script(get: [.record(released)], update: [.ok])
        let elector = h.elector(lock)
        let task = await h.running(elector)
        #expect(await lock.updated.map(\.record.leaderTransitions) == [LeaderElectionRecord.highestTerm])
        task.cancel()
        try await task.value
    }

    /// The record of the issue: after handovers at the top of the range, every claim would have
    /// repeated Int.max. Now none is written, and the reason is logged once.
    @Test(arguments: [LeaderElectionRecord.highestTerm, Int.max])
    func noTermIsClaimedPastTheLast(term: Int) async throws {
        let released = record("", transitions: term, leaseSeconds: 1)
        await lock.script(get: Array(repeating: .record(released), count: 3))
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.advance(by: .seconds(4), step: .seconds(2), settling: [elector])
        #expect(await lock.count("update") == 0)
        #expect(await lock.count("create") == 0)
        #expect(await !elector.status().isLeader)
        let reports = h.messages.filter { $0.contains("no new term can be started") }
        #expect(reports.count == 1)
        #expect(reports.first?.contains("term \(term) is the highest") == true)
        task.cancel()
        try await task.value
    }

    @Test func aRecordWithoutRoomForANextTermIsInvalid() throws {
        let bytes = Array(#"{"holderIdentity":"b","leaseDurationSeconds":10,"leaderTransitions":9223372036854775807}"#.utf8)
        #expect {
            try LeaderElectionRecord(jsonBytes: bytes)
        } throws: { error in
            "\(error)".contains("leaderTransitions 9223372036854775807 is out of range")
        }
        let last = Array(#"{"holderIdentity":"b","leaseDurationSeconds":10,"leaderTransitions":9223372036854775806}"#.utf8)
        #expect(try LeaderElectionRecord(jsonBytes: last).leaderTransitions == LeaderElectionRecord.highestTerm)
    }

    @Test(arguments: ["9223372036854775808", "-9223372036854775809", "1e30"])
    func aNumberBeyondInt64IsOutOfRangeNotBadJSON(number: String) throws {
        let bytes = Array(#"{"holderIdentity":"b","leaseDurationSeconds":10,"leaderTransitions":\#(number)}"#.utf8)
        #expect {
            try LeaderElectionRecord(jsonBytes: bytes)
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription.contains("is out of range") && !context.codingPath.isEmpty
        }
    }

    @Test func aFractionalTermIsNotAWholeNumber() {
        let bytes = Array(#"{"holderIdentity":"b","leaseDurationSeconds":10,"leaderTransitions":4.5}"#.utf8)
        #expect {
            try LeaderElectionRecord(jsonBytes: bytes)
        } throws: { error in
            "\(error)".contains("not a whole number")
        }
    }
}
