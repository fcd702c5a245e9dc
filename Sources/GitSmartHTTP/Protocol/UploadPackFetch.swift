import TextEscaping
/// Fetches one commit and its tree, without blobs and without history, through upload-pack
/// (`want <id>`, `deepen 1`, `filter blob:none`, gitprotocol-pack and gitprotocol-http).
struct UploadPackFetch: Sendable {
    let transport: any GitTransport
    /// Sent as the `agent=` capability.
    let agent: String
    let advice: GitAdvice

    /// The tree of `commit`, read from a pack the server builds for it.
    func tree(ofCommit commit: GitObjectID) async throws -> GitTree {
        let advertisement = try RefAdvertisement(
            parsing: try await transport.exchange(.advertisement("git-upload-pack"), advice: advice), service: "git-upload-pack"
        )
        try advertisement.require(
            ["side-band-64k", "shallow", "filter"], of: "upload-pack", stage: .fetch,
            fixes: ["filter": " (git config uploadpack.allowFilter true)"])
        var request = PktLine.encode("want \(commit.hex) side-band-64k shallow no-progress filter agent=\(agent)\n")
        request += PktLine.encode("deepen 1\n")
        request += PktLine.encode("filter blob:none\n")
        request += PktLine.flushBytes
        request += PktLine.encode("done\n")
        let answer = try await transport.exchange(.rpc("git-upload-pack", body: request), advice: advice)
        let objects = try PackReader.objects(in: try Self.pack(inAnswer: answer))
        guard let commitObject = objects[commit], commitObject.kind == .commit else {
            throw GitProtocolError(.fetch, "the pack upload-pack sent lacks commit \(commit)")
        }
        let treeID = try GitCommit.treeID(ofBody: commitObject.body)
        guard let treeObject = objects[treeID], treeObject.kind == .tree else {
            throw GitProtocolError(.fetch, "the pack upload-pack sent lacks tree \(treeID) of commit \(commit)")
        }
        return try GitTree(body: treeObject.body)
    }

    /// The pack in an upload-pack answer: shallow lines and a flush, `NAK`, then the side-band.
    static func pack(inAnswer answer: [UInt8]) throws -> [UInt8] {
        let lines = try PktLine.decodeAll(answer)
        guard let nak = lines.firstIndex(where: { $0.text == "NAK" || $0.text?.hasPrefix("ACK ") == true }) else {
            if let error = lines.lazy.compactMap(\.text).first(where: { $0.hasPrefix("ERR ") }) {
                throw GitProtocolError(.fetch, "upload-pack refused: \(error.dropFirst(4))")
            }
            throw GitProtocolError(.fetch, "upload-pack's answer has no `NAK` before its pack")
        }
        let band = try SideBand(demultiplexing: lines[(nak + 1)...], stage: .fetch)
        guard !band.data.isEmpty else {
            throw GitProtocolError(
                .fetch,
                "upload-pack sent no pack data\(band.progress.isEmpty ? "" : ": \(band.progress.trimmingNewlines().escapedForLog(quoting: true))")"
            )
        }
        return band.data
    }
}
