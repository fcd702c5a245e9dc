import Testing
@testable import GistLock
@testable import GitSmartHTTP

@Suite struct PktLineTests {
    @Test func encodesLengthIncludingItsOwnFourDigits() {
        #expect(PktLine.encode("hello\n") == Array("000ahello\n".utf8))
        #expect(PktLine.encode([UInt8]()) == Array("0004".utf8))
        #expect(PktLine.encode([UInt8](repeating: 0x61, count: 300)).prefix(4) == Array("0130".utf8)[...])
    }

    @Test func decodesDataFlushDelimiterAndResponseEnd() throws {
        let bytes = PktLine.encode("a\n") + PktLine.flushBytes + Array("00010002".utf8) + PktLine.encode([0, 1, 2])
        #expect(try PktLine.decodeAll(bytes) == [.data(Array("a\n".utf8)), .flush, .delimiter, .responseEnd, .data([0, 1, 2])])
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: String
        let message: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        Malformed(
            name: "HTML instead of pkt-lines", bytes: "<html>",
            message: "\"<htm\" at byte 0 is not a pkt-line length (4 hex digits)"),
        Malformed(
            name: "cut short", bytes: "0010abc", message: "a pkt-line of 16 bytes at byte 0 is cut short: the answer has only 7"),
        Malformed(name: "length in the middle", bytes: "0000000", message: "the answer ends inside a pkt-line length at byte 4"),
        Malformed(name: "length 3", bytes: "0003", message: "pkt-line length 0003 at byte 0 is invalid"),
        Malformed(name: "a sign in the length", bytes: "+00a123456", message: "\"+00a\" at byte 0 is not a pkt-line length"),
    ])
    func malformedInputNamesTheProblem(_ test: Malformed) {
        let error = #expect(throws: GitProtocolError.self) {
            try PktLine.decodeAll(Array(test.bytes.utf8))
        }
        #expect(error?.message.hasPrefix(test.message) == true, "\(String(describing: error))")
    }

    @Test func sideBandJoinsChannelOneAndKeepsProgress() throws {
        let lines = try PktLine.decodeAll(
            PktLine.encode([1] + Array("PA".utf8)) + PktLine.encode([2] + Array("Counting\n".utf8))
                + PktLine.encode([1] + Array("CK".utf8)) + PktLine.flushBytes + PktLine.encode([1, 9])
        )
        let band = try SideBand(demultiplexing: lines, stage: .fetch)
        #expect(band.data == Array("PACK".utf8))
        #expect(band.progress == "Counting\n")
    }

    @Test func sideBandChannelThreeIsThrownWithGitsText() throws {
        let lines = try PktLine.decodeAll(PktLine.encode([3] + Array("upload-pack: not our ref abc\n".utf8)))
        #expect(throws: GitProtocolError(.fetch, "the server stopped with: upload-pack: not our ref abc")) {
            try SideBand(demultiplexing: lines, stage: .fetch)
        }
    }
}
