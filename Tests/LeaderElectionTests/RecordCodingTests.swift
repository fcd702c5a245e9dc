import Foundation
import LeaderElection
import Testing

@Suite struct RecordCodingTests {
    @Test func encodesGoFieldOrderWithWholeSecondsUTC() throws {
        let record = LeaderElectionRecord(
            holderIdentity: "napoleon", leaseDurationSeconds: 30,
            acquireTime: Date(timeIntervalSince1970: 1_700_000_000.75),
            renewTime: Date(timeIntervalSince1970: 1_700_000_010.2), leaderTransitions: 3)
        let text = String(decoding: record.jsonBytes(), as: UTF8.self)
        #expect(
            text
                == #"{"holderIdentity":"napoleon","leaseDurationSeconds":30,"acquireTime":"2023-11-14T22:13:20Z","renewTime":"2023-11-14T22:13:30Z","leaderTransitions":3}"#
        )
    }

    @Test(arguments: [
        #"{"holderIdentity":"a","leaseDurationSeconds":15,"acquireTime":"2024-01-02T03:04:05Z","renewTime":"2024-01-02T03:04:06.123456Z","leaderTransitions":2,"strategy":"","preferredHolder":""}"#,
        #"{"holderIdentity":"a","leaseDurationSeconds":15,"acquireTime":"2024-01-02T05:04:05+02:00","renewTime":"2024-01-02T03:04:06.123456Z","leaderTransitions":2}"#,
    ])
    func decodesGoWrittenRecords(json: String) throws {
        let record = try LeaderElectionRecord(jsonBytes: Array(json.utf8))
        #expect(record.holderIdentity == "a")
        #expect(record.acquireTime == Date(timeIntervalSince1970: 1_704_164_645))
        #expect(abs(record.renewTime!.timeIntervalSince1970 - 1_704_164_646.123456) < 0.001)
        #expect(record.leaderTransitions == 2)
    }

    @Test func rejectsBadTimestampNamingTheField() {
        #expect(throws: DecodingError.self) {
            try LeaderElectionRecord(
                jsonBytes: Array(
                    #"{"holderIdentity":"a","leaseDurationSeconds":1,"acquireTime":"yesterday","renewTime":null,"leaderTransitions":0}"#
                        .utf8))
        }
    }

    /// Identities with quotes, escapes, controls, line breaks and any Unicode survive the stored bytes
    /// exactly, scalar for scalar (not merely as canonically equal strings).
    @Test(arguments: [
        "quote \" and backslash \\ and slash /", "line\nbreak\r\ttab", "\u{0}\u{1F}\u{7F}",
        "Ναπολέων 拿破仑 🚀👩‍👩‍👧", "e\u{301} is not \u{E9}", "\u{2028}\u{2029}\u{FEFF}", "</script>", "",
    ])
    func oddIdentitiesRoundTripExactly(identity: String) throws {
        let record = LeaderElectionRecord(
            holderIdentity: identity, leaseDurationSeconds: 30, acquireTime: Date(timeIntervalSince1970: 1_700_000_000),
            renewTime: nil, leaderTransitions: 1)
        let bytes = record.jsonBytes()
        let decoded = try LeaderElectionRecord(jsonBytes: bytes)
        #expect(Array(decoded.holderIdentity.unicodeScalars) == Array(identity.unicodeScalars))
        #expect(decoded == record)
        #expect(decoded.jsonBytes() == bytes, "re-encoding gives the same bytes, so compare-before-write holds")
        #expect(!bytes.contains(UInt8(ascii: "\n")), "one line, whatever the identity")
    }
}
