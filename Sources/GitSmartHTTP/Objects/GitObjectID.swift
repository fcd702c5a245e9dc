#if canImport(CryptoKit)
import CryptoKit
#else
import CLibCrypto
#endif
import Foundation

/// A git object id: the SHA-1 of the object's header and body, 20 bytes, shown as 40 hex digits.
public struct GitObjectID: Hashable, Sendable, CustomStringConvertible {
    /// The 20 raw bytes.
    let bytes: [UInt8]

    /// The id of 40 zeros, which git uses for "no object" (a ref that does not exist yet).
    static let zero = GitObjectID(unchecked: [UInt8](repeating: 0, count: 20))

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The id from its 20 raw bytes, or nil if there are not exactly 20.
    init?(bytes: some Collection<UInt8>) {
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

    /// The SHA-1 of `data`: CryptoKit on Apple platforms, the system's libcrypto elsewhere (git names
    /// objects by SHA-1; it protects nothing here, so no BoringSSL of our own is compiled for it).
    static func sha1(of data: some DataProtocol) -> GitObjectID {
        #if canImport(CryptoKit)
        GitObjectID(unchecked: Array(Insecure.SHA1.hash(data: data)))
        #else
        // These fail only when OpenSSL cannot allocate a context: nothing a caller could handle.
        guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto could not allocate a digest context") }
        defer { EVP_MD_CTX_free(context) }
        precondition(EVP_DigestInit_ex(context, EVP_sha1(), nil) == 1, "libcrypto has no SHA-1")
        for region in data.regions {
            region.withUnsafeBytes { buffer in
                precondition(EVP_DigestUpdate(context, buffer.baseAddress, buffer.count) == 1, "SHA-1 update failed")
            }
        }
        var digest = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(context, &digest, &length) == 1 && length == 20, "SHA-1 final failed")
        return GitObjectID(unchecked: digest)
        #endif
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
