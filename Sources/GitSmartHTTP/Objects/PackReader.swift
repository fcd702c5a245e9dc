import CompressNIO
import NIOCore

/// Reads a pack v2 (gitformat-pack): every object, with OFS_DELTA and REF_DELTA objects resolved
/// against their bases, after checking the trailing SHA-1.
enum PackReader {
    /// Every object of `pack`, keyed by id.
    static func objects(in pack: [UInt8]) throws -> [GitObjectID: GitObject] {
        guard pack.count >= 32, Array(pack[0..<4]) == Array("PACK".utf8) else {
            throw GitProtocolError(.pack, "the data does not start with a pack header (`PACK`)")
        }
        let version = bigEndian(pack, at: 4)
        guard version == 2 || version == 3 else {
            throw GitProtocolError(.pack, "pack version \(version) is not 2 or 3")
        }
        let trailer = Array(pack[(pack.count - 20)...])
        guard GitObjectID.sha1(of: pack[..<(pack.count - 20)]).bytes == trailer else {
            throw GitProtocolError(.pack, "the pack's trailing SHA-1 does not match its content: it was damaged or cut short")
        }
        let count = Int(bigEndian(pack, at: 8))
        var byOffset: [Int: GitObject] = [:]
        var byID: [GitObjectID: GitObject] = [:]
        var pendingRefDeltas: [(base: GitObjectID, delta: [UInt8], offset: Int)] = []
        var offset = 12
        let end = pack.count - 20
        for _ in 0..<count {
            let start = offset
            guard offset < end else { throw GitProtocolError(.pack, "the pack promises \(count) objects but ends early") }
            var byte = pack[offset]
            offset += 1
            let type = (byte >> 4) & 0x07
            var size = Int(byte & 0x0f)
            var shift = 4
            while byte & 0x80 != 0 {
                guard offset < end else { throw GitProtocolError(.pack, "an object header is cut short") }
                byte = pack[offset]
                offset += 1
                size |= Int(byte & 0x7f) << shift
                shift += 7
            }
            switch type {
            case 1...4:
                let body = try inflate(pack, at: &offset, end: end, size: size)
                let object = GitObject(kind: GitObject.Kind(rawValue: type)!, body: body)
                byOffset[start] = object
                byID[object.id] = object
            case 6:
                // The base's offset back from this object: big-endian 7-bit groups, each continuation adding 1.
                guard offset < end else { throw GitProtocolError(.pack, "an OFS_DELTA header is cut short") }
                byte = pack[offset]
                offset += 1
                var back = Int(byte & 0x7f)
                while byte & 0x80 != 0 {
                    guard offset < end else { throw GitProtocolError(.pack, "an OFS_DELTA offset is cut short") }
                    byte = pack[offset]
                    offset += 1
                    back = ((back + 1) << 7) | Int(byte & 0x7f)
                }
                let delta = try inflate(pack, at: &offset, end: end, size: size)
                guard let base = byOffset[start - back] else {
                    throw GitProtocolError(
                        .pack, "an OFS_DELTA at \(start) names a base at \(start - back), where no object starts")
                }
                let object = GitObject(kind: base.kind, body: try GitDelta.apply(delta, to: base.body))
                byOffset[start] = object
                byID[object.id] = object
            case 7:
                guard offset + 20 <= end else { throw GitProtocolError(.pack, "a REF_DELTA base id is cut short") }
                let base = GitObjectID(unchecked: Array(pack[offset..<(offset + 20)]))
                offset += 20
                let delta = try inflate(pack, at: &offset, end: end, size: size)
                pendingRefDeltas.append((base, delta, start))
            default:
                throw GitProtocolError(.pack, "object type \(type) at \(start) does not exist in a pack")
            }
        }
        // A REF_DELTA's base may come later in the pack or be another delta: resolve until none is left.
        while !pendingRefDeltas.isEmpty {
            let before = pendingRefDeltas.count
            pendingRefDeltas = try pendingRefDeltas.filter { pending throws in
                guard let base = byID[pending.base] else { return true }
                let object = GitObject(kind: base.kind, body: try GitDelta.apply(pending.delta, to: base.body))
                byID[object.id] = object
                byOffset[pending.offset] = object
                return false
            }
            if pendingRefDeltas.count == before {
                throw GitProtocolError(
                    .pack,
                    "a REF_DELTA names base \(pendingRefDeltas[0].base), which is not in the pack (a thin pack was sent unasked)")
            }
        }
        return byID
    }

    private static func inflate(_ pack: [UInt8], at offset: inout Int, end: Int, size: Int) throws -> [UInt8] {
        var input = ByteBuffer(bytes: pack[offset..<end])
        // Room past `size`, so zlib reaches the stream's end (and its checksum) before the output is full.
        var output = ByteBufferAllocator().buffer(capacity: size + 64)
        do {
            try input.decompress(to: &output, with: .zlib)
        } catch {
            throw GitProtocolError(.pack, "the zlib stream of an object at \(offset) does not inflate: \(error)")
        }
        guard output.readableBytes == size else {
            throw GitProtocolError(
                .pack, "an object at \(offset) inflates to \(output.readableBytes) bytes, its header says \(size)")
        }
        offset = end - input.readableBytes
        return output.readBytes(length: size) ?? []
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
