import Crypto
import Foundation

/// A git object id: the SHA-1 of the object's header and body, 20 bytes, shown as 40 hex digits.
public struct GitObjectID: Hashable, Sendable, CustomStringConvertible {
    /// The 20 raw bytes.
    public let bytes: [UInt8]

    /// The id of 40 zeros, which git uses for "no object" (a ref that does not exist yet).
    public static let zero = GitObjectID(unchecked: [UInt8](repeating: 0, count: 20))

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The id from its 20 raw bytes, or nil if there are not exactly 20.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 20 else { return nil }
        self.bytes = Array(bytes)
    }

    /// The id from 40 hex digits, or nil for anything else.
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard digits.count == 40 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        for index in stride(from: 0, to: 40, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// The SHA-1 of `data`.
    static func sha1(of data: some DataProtocol) -> GitObjectID {
        GitObjectID(unchecked: Array(Insecure.SHA1.hash(data: data)))
    }

    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(40)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { hex }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
