import TextEscaping
/// Git's pkt-line framing: four hex digits of length (including themselves), then the payload;
/// `0000` is a flush-pkt (gitprotocol-common).
enum PktLine: Sendable, Equatable {
    case data([UInt8])
    case flush
    /// `0001`, protocol v2's section delimiter.
    case delimiter
    /// `0002`, protocol v2's end of a stateless response.
    case responseEnd

    /// The largest payload one pkt-line carries (65520 bytes in all, minus the 4-digit length).
    static let maxPayload = 65516

    /// The bytes of a data pkt-line carrying `text`.
    static func encode(_ text: String) -> [UInt8] {
        encode(Array(text.utf8))
    }

    /// The bytes of a data pkt-line carrying `payload` (at most `maxPayload` bytes).
    static func encode(_ payload: [UInt8]) -> [UInt8] {
        precondition(payload.count <= maxPayload, "a pkt-line carries at most \(maxPayload) bytes")
        return hexLength(payload.count + 4) + payload
    }

    /// The flush-pkt, `0000`.
    static let flushBytes = Array("0000".utf8)

    /// Every pkt-line in `bytes`, which must end at a pkt-line boundary.
    static func decodeAll(_ bytes: [UInt8]) throws -> [PktLine] {
        var reader = PktLineReader(bytes)
        var lines: [PktLine] = []
        while let line = try reader.next() {
            lines.append(line)
        }
        return lines
    }

    /// The payload as text, without its trailing newline, for lines git sends as text.
    var text: String? {
        guard case .data(let payload) = self else { return nil }
        let trimmed = payload.last == UInt8(ascii: "\n") ? payload.dropLast() : payload[...]
        return String(decoding: trimmed, as: UTF8.self)
    }

    private static func hexLength(_ length: Int) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return [12, 8, 4, 0].map { digits[(length >> $0) & 0x0f] }
    }
}

/// Reads pkt-lines one by one from a byte buffer.
struct PktLineReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset >= bytes.count }

    /// The next pkt-line, or nil at the end of the buffer.
    mutating func next() throws -> PktLine? {
        guard offset < bytes.count else { return nil }
        guard offset + 4 <= bytes.count else {
            throw GitProtocolError(.pktLine, "the answer ends inside a pkt-line length at byte \(offset)")
        }
        let header = bytes[offset..<(offset + 4)]
        guard let length = Int(String(decoding: header, as: UTF8.self), radix: 16),
            header.allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit })
        else {
            throw GitProtocolError(
                .pktLine,
                "\(quoted(header)) at byte \(offset) is not a pkt-line length (4 hex digits); "
                    + "the server did not answer in git's protocol")
        }
        switch length {
        case 0:
            offset += 4
            return .flush
        case 1:
            offset += 4
            return .delimiter
        case 2:
            offset += 4
            return .responseEnd
        case 3: throw GitProtocolError(.pktLine, "pkt-line length 0003 at byte \(offset) is invalid")
        default: break
        }
        guard offset + length <= bytes.count else {
            throw GitProtocolError(
                .pktLine,
                "a pkt-line of \(length) bytes at byte \(offset) is cut short: the answer has only \(bytes.count - offset)")
        }
        let payload = Array(bytes[(offset + 4)..<(offset + length)])
        offset += length
        return .data(payload)
    }

    private func quoted(_ bytes: ArraySlice<UInt8>) -> String {
        "\"" + String(decoding: bytes, as: UTF8.self).escapedForLog(quoting: true) + "\""
    }
}
