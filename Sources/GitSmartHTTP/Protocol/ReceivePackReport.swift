import TextEscaping
/// The report-status receive-pack sends after a push: whether the pack unpacked, then `ok <ref>` or
/// `ng <ref> <reason>` for each ref (gitprotocol-pack).
struct ReceivePackReport: Sendable, Equatable {
    /// The result of one ref update.
    enum RefStatus: Sendable, Equatable {
        case ok
        /// Refused, with git's reason (`failed to update ref`, `non-fast-forward`, ...).
        case rejected(reason: String)
    }

    /// `nil` for `unpack ok`, otherwise git's unpack error text.
    let unpackError: String?
    /// Each ref's result.
    let refs: [String: RefStatus]
    /// What receive-pack printed on side-band 2 (`error: cannot lock ref ...`), without the last newline.
    private(set) var serverMessages = ""

    /// The report in a receive-pack answer sent with `side-band-64k`.
    init(parsingSideBand body: [UInt8]) throws {
        let lines = try PktLine.decodeAll(body)
        let band = try SideBand(demultiplexing: lines, stage: .report)
        do {
            try self.init(parsing: band.data)
            serverMessages = band.progress.trimmingNewlines()
        } catch let error as GitProtocolError {
            let progress = band.progress.trimmingNewlines()
            guard !progress.isEmpty else { throw error }
            throw GitProtocolError(.report, "\(error.message); the server said: \(progress.escapedForLog(quoting: true))")
        }
    }

    /// The report in the pkt-lines of `body` (without side-band).
    init(parsing body: [UInt8]) throws {
        var unpackError: String??
        var refs: [String: RefStatus] = [:]
        for line in try PktLine.decodeAll(body) {
            guard let text = line.text else { break }
            if unpackError == nil {
                guard text.hasPrefix("unpack ") else {
                    throw GitProtocolError(
                        .report,
                        "the report starts with \"\(text.escapedForLog(quoting: true))\", not `unpack ok` or `unpack <error>`")
                }
                let result = String(text.dropFirst("unpack ".count))
                unpackError = .some(result == "ok" ? nil : result)
            } else if text.hasPrefix("ok ") {
                refs[String(text.dropFirst(3))] = .ok
            } else if text.hasPrefix("ng ") {
                let rest = text.dropFirst(3)
                let name = rest.prefix { $0 != " " }
                let reason = rest.dropFirst(name.count).drop { $0 == " " }
                refs[String(name)] = .rejected(reason: String(reason))
            } else {
                throw GitProtocolError(
                    .report, "\"\(text.escapedForLog(quoting: true))\" is neither `ok <ref>` nor `ng <ref> <reason>`")
            }
        }
        guard let unpack = unpackError else {
            throw GitProtocolError(.report, "receive-pack sent no report-status (no `unpack` line)")
        }
        self.unpackError = unpack
        self.refs = refs
    }
}
