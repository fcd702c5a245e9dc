/// Writes a pack v2 (gitformat-pack): `PACK`, version 2, the object count, each object's type and
/// size header and zlib stream, then the SHA-1 of all that.
enum PackWriter {
    /// The pack holding `objects`, each whole (no deltas), in stored zlib blocks.
    static func pack(_ objects: [GitObject]) -> [UInt8] {
        var pack = Array("PACK".utf8)
        pack.append(contentsOf: bigEndian(2))
        pack.append(contentsOf: bigEndian(UInt32(objects.count)))
        for object in objects {
            pack.append(contentsOf: objectHeader(kind: object.kind.rawValue, size: object.body.count))
            pack.append(contentsOf: StoredDeflate.zlibStream(object.body))
        }
        pack.append(contentsOf: GitObjectID.sha1(of: pack).bytes)
        return pack
    }

    /// The type and size header: 3 bits of type and 4 of size in the first byte, then 7 bits of size
    /// per byte, each byte's high bit saying another follows.
    static func objectHeader(kind: UInt8, size: Int) -> [UInt8] {
        var header: [UInt8] = []
        var rest = size >> 4
        var byte = kind << 4 | UInt8(size & 0x0f)
        while rest > 0 {
            header.append(byte | 0x80)
            byte = UInt8(rest & 0x7f)
            rest >>= 7
        }
        header.append(byte)
        return header
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [24, 16, 8, 0].map { UInt8((value >> $0) & 0xff) }
    }
}
