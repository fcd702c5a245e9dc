/// A zlib stream (RFC 1950) whose deflate data is stored blocks only (RFC 1951, BTYPE 00): no
/// compression, which git accepts like any other zlib stream and which needs no compressor.
enum StoredDeflate {
    /// The largest payload of one stored block.
    static let maxBlock = 65535

    /// `data` as a zlib stream of stored blocks.
    static func zlibStream(_ data: [UInt8]) -> [UInt8] {
        // CMF 0x78: deflate with a 32 KiB window; FLG 0x01 makes CMF*256+FLG a multiple of 31.
        var stream: [UInt8] = [0x78, 0x01]
        stream.reserveCapacity(data.count + data.count / maxBlock * 5 + 11)
        var start = 0
        repeat {
            let end = min(start + maxBlock, data.count)
            let length = end - start
            stream.append(end == data.count ? 1 : 0)
            stream.append(UInt8(length & 0xff))
            stream.append(UInt8(length >> 8))
            stream.append(UInt8(~length & 0xff))
            stream.append(UInt8((~length >> 8) & 0xff))
            stream.append(contentsOf: data[start..<end])
            start = end
        } while start < data.count
        let checksum = adler32(data)
        stream.append(contentsOf: [24, 16, 8, 0].map { UInt8((checksum >> $0) & 0xff) })
        return stream
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        // 5552 bytes is the longest run before the sums can overflow 32 bits (zlib's NMAX).
        var index = 0
        while index < data.count {
            let end = min(index + 5552, data.count)
            for byte in data[index..<end] {
                a += UInt32(byte)
                b += a
            }
            a %= 65521
            b %= 65521
            index = end
        }
        return b << 16 | a
    }
}
