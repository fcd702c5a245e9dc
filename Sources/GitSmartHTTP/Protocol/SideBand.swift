import TextEscaping
/// Side-band-64k demultiplexing: after negotiation, each pkt-line's first byte names its channel
/// (1 data, 2 progress, 3 a fatal error), as gitprotocol-pack describes.
struct SideBand: Sendable, Equatable {
    /// The bytes of channel 1, joined.
    var data: [UInt8] = []
    /// The text of channel 2 (progress and `error:` messages the server printed).
    var progress: String = ""

    /// Channel 1 and 2 of `lines`, up to the first flush-pkt; a channel 3 message is thrown as git's
    /// own text.
    init(demultiplexing lines: some Sequence<PktLine>, stage: GitProtocolError.Stage) throws {
        for line in lines {
            guard case .data(let payload) = line else { break }
            guard let channel = payload.first else {
                throw GitProtocolError(stage, "an empty side-band pkt-line has no channel byte")
            }
            let content = payload.dropFirst()
            switch channel {
            case 1: data.append(contentsOf: content)
            case 2: progress += String(decoding: content, as: UTF8.self)
            case 3:
                throw GitProtocolError(
                    stage,
                    "the server stopped with: \(String(decoding: content, as: UTF8.self).trimmingNewlines().escapedForLog(quoting: true))"
                )
            default:
                throw GitProtocolError(stage, "side-band channel \(channel) does not exist (only 1, 2 and 3 do)")
            }
        }
    }
}
