import TextEscaping
/// The refs and capabilities a smart-HTTP server lists at `info/refs?service=<service>`
/// (protocol v0/v1, as `git http-backend` serves by default).
struct RefAdvertisement: Sendable, Equatable {
    /// Each ref's name (`refs/heads/main`, `HEAD`) and the id it points at.
    let refs: [String: GitObjectID]
    /// The capabilities after the NUL of the first line (`report-status`, `side-band-64k`, `filter`, ...).
    let capabilities: Set<String>

    /// The id of `refs/heads/<branch>`, or nil if the branch does not exist.
    func head(ofBranch branch: String) -> GitObjectID? {
        refs["refs/heads/\(branch)"]
    }

    /// Throws, in `stage`, naming the first of `needed` that `service` (`receive-pack`, `upload-pack`) does
    /// not offer, followed by its entry in `fixes`.
    func require(_ needed: [String], of service: String, stage: GitProtocolError.Stage, fixes: [String: String] = [:]) throws {
        for capability in needed where !capabilities.contains(capability) {
            throw GitProtocolError(stage, "\(service) does not offer the `\(capability)` capability\(fixes[capability] ?? "")")
        }
    }

    /// The advertisement in an `info/refs` answer for `service` (`git-receive-pack`, `git-upload-pack`).
    init(parsing body: [UInt8], service: String) throws {
        var lines = try PktLine.decodeAll(body)[...]
        guard let first = lines.first?.text else {
            throw GitProtocolError(
                .advertisement, "the answer to info/refs?service=\(service) is empty; the server does not speak git smart HTTP")
        }
        if first.hasPrefix("# service=") {
            guard first == "# service=\(service)" else {
                throw GitProtocolError(.advertisement, "the server announced \"\(first)\", not \"# service=\(service)\"")
            }
            lines = lines.dropFirst()
            if lines.first == .flush { lines = lines.dropFirst() }
        }
        if let versionLine = lines.first?.text, versionLine.hasPrefix("version "), versionLine != "version 1" {
            throw GitProtocolError(
                .advertisement, "the server answered with protocol \"\(versionLine)\"; only protocol v0/v1 is spoken here")
        }
        if lines.first?.text == "version 1" { lines = lines.dropFirst() }
        var refs: [String: GitObjectID] = [:]
        var capabilities: Set<String> = []
        var isFirst = true
        for line in lines {
            guard case .data(var payload) = line else { break }
            if payload.last == UInt8(ascii: "\n") { payload.removeLast() }
            if isFirst, let nul = payload.firstIndex(of: 0) {
                let capabilityText = String(decoding: payload[(nul + 1)...], as: UTF8.self)
                capabilities = Set(capabilityText.split(separator: " ").map(String.init))
                payload = Array(payload[..<nul])
            }
            isFirst = false
            let text = String(decoding: payload, as: UTF8.self)
            guard text.utf8.count > 41, let id = GitObjectID(hex: text.prefix(40)), text.dropFirst(40).first == " " else {
                throw GitProtocolError(.advertisement, "\"\(text.escapedForLog(quoting: true))\" is not a `<id> <ref>` line")
            }
            let name = String(text.dropFirst(41))
            // An empty repository advertises `capabilities^{}` with the zero id, only to carry them.
            if name != "capabilities^{}" {
                refs[name] = id
            }
        }
        if isFirst {
            throw GitProtocolError(
                .advertisement, "the answer to info/refs?service=\(service) lists no ref line, not even the capabilities line")
        }
        self.refs = refs
        self.capabilities = capabilities
    }
}
