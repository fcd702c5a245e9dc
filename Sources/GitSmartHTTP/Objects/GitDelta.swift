/// Applies a git delta (gitformat-pack "Deltified representation"): the base and result sizes, then
/// copy-from-base and insert instructions.
enum GitDelta {
    static func apply(_ delta: [UInt8], to base: [UInt8]) throws -> [UInt8] {
        var index = 0
        func size() throws -> Int {
            var value = 0
            var shift = 0
            while true {
                guard index < delta.count else { throw GitProtocolError(.pack, "a delta ends inside its size header") }
                let byte = delta[index]
                index += 1
                value |= Int(byte & 0x7f) << shift
                shift += 7
                if byte & 0x80 == 0 { return value }
            }
        }
        let baseSize = try size()
        let resultSize = try size()
        guard baseSize == base.count else {
            throw GitProtocolError(.pack, "a delta expects a base of \(baseSize) bytes, its base has \(base.count)")
        }
        var result: [UInt8] = []
        result.reserveCapacity(resultSize)
        while index < delta.count {
            let instruction = delta[index]
            index += 1
            if instruction & 0x80 != 0 {
                var offset = 0
                var length = 0
                for bit in 0..<7 where instruction & (1 << bit) != 0 {
                    guard index < delta.count else { throw GitProtocolError(.pack, "a delta copy instruction is cut short") }
                    if bit < 4 {
                        offset |= Int(delta[index]) << (8 * bit)
                    } else {
                        length |= Int(delta[index]) << (8 * (bit - 4))
                    }
                    index += 1
                }
                if length == 0 { length = 0x10000 }
                guard offset + length <= base.count else {
                    throw GitProtocolError(
                        .pack, "a delta copies bytes \(offset)..<\(offset + length) of a \(base.count)-byte base")
                }
                result.append(contentsOf: base[offset..<(offset + length)])
            } else if instruction != 0 {
                let length = Int(instruction)
                guard index + length <= delta.count else {
                    throw GitProtocolError(.pack, "a delta insert instruction is cut short")
                }
                result.append(contentsOf: delta[index..<(index + length)])
                index += length
            } else {
                throw GitProtocolError(.pack, "a delta holds the reserved instruction 0")
            }
        }
        guard result.count == resultSize else {
            throw GitProtocolError(.pack, "a delta built \(result.count) bytes, its header promised \(resultSize)")
        }
        return result
    }
}
