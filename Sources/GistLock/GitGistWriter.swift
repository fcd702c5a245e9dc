public import Foundation
public import GitSmartHTTP

/// Writes one file of a gist as a git commit on the observed commit, pushed so that receive-pack
/// applies it only if the branch still points at that commit: a compare-and-swap on the gist.
public struct GitGistWriter: Sendable {
    /// What a write turned out to be, decided by the server's answer.
    public enum Outcome: Sendable, Equatable {
        /// The branch now points at this commit, which is ours.
        case written(GitObjectID)
        /// The branch had moved on, or receive-pack refused the update; git's reason is quoted.
        case conflict(reason: String)
    }

    /// `refs/heads/<preferred>`, or the repository's only branch when it has no such one: gists made
    /// before GitHub's move to `main` keep `master`.
    static func branchRef(in advertisement: RefAdvertisement, preferring preferred: String) -> String {
        let wanted = "refs/heads/\(preferred)"
        guard advertisement.refs[wanted] == nil else { return wanted }
        let branches = advertisement.refs.keys.filter { $0.hasPrefix("refs/heads/") }
        return branches.count == 1 ? branches[0] : wanted
    }

    /// Asks receive-pack for its advertisement, as a push would: succeeds only when the token may push.
    /// Throws `GitProtocolError` quoting the refusal otherwise.
    public func checkPushAccess() async throws {
        try await redacting { try await checkPushAccessUnredacted() }
    }

    private func checkPushAccessUnredacted() async throws {
        let advertisement = try RefAdvertisement(
            parsing: try await transport.exchange(.advertisement("git-receive-pack")), service: "git-receive-pack")
        for needed in ["report-status", "side-band-64k"] where !advertisement.capabilities.contains(needed) {
            throw GitProtocolError(.advertisement, "receive-pack does not offer the `\(needed)` capability")
        }
    }

    /// The `agent=` capability and User-Agent sent to the server.
    public static let agent = "gist-lock/1"

    private let transport: any GitTransport
    private let branch: String
    private let author: String
    private let email: String
    private let wallClock: @Sendable () -> Date

    /// A writer to the repository behind `transport`, on `refs/heads/<branch>`, committing as
    /// `author <email>` at the times `wallClock` gives.
    public init(
        transport: any GitTransport, branch: String = "main", author: String = "leader-election",
        email: String = "leader-election@localhost", wallClock: @escaping @Sendable () -> Date
    ) {
        self.transport = transport
        self.branch = branch
        self.author = author
        self.email = email
        self.wallClock = wallClock
    }

    /// Commits `content` as the file `name` on top of `parent`, every other entry of `parent`'s tree
    /// kept as it is, and pushes it with `parent` as the old id. Throws when the push got no answer
    /// (its effect is unknown) or an answer that is not git's.
    public func replaceFile(named name: String, with content: [UInt8], parent: GitObjectID) async throws -> Outcome {
        try await write(named: name, content: content, parent: parent, parentTree: nil).outcome
    }

    /// What `write` made: the outcome, and the tree of the commit it pushed.
    public struct Written: Sendable {
        public var outcome: Outcome
        public var tree: GitTree?
    }

    /// `replaceFile` that takes `parentTree` as the parent's tree when it is known (the tree of our own
    /// last commit), which saves fetching it, and returns the tree it pushed.
    public func write(
        named name: String, content: [UInt8], parent: GitObjectID, parentTree: GitTree?
    ) async throws -> Written {
        var written = try await redacting {
            try await writeUnredacted(named: name, content: content, parent: parent, parentTree: parentTree)
        }
        if case .conflict(let reason) = written.outcome { written.outcome = .conflict(reason: transport.redact(reason)) }
        return written
    }

    /// Runs `body`, its errors passed through the transport's redaction: git's answers may echo the
    /// credentials, and these errors reach logs.
    private func redacting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as GitProtocolError {
            throw GitProtocolError(error.stage, transport.redact(error.message))
        }
    }

    private func writeUnredacted(
        named name: String, content: [UInt8], parent: GitObjectID, parentTree: GitTree?
    ) async throws -> Written {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.utf8.contains(0) else {
            throw GitProtocolError(
                .object, "\"\(name)\" is not a gist file name: a gist holds files at its top level, so give a name without `/`")
        }
        let advertisement = try RefAdvertisement(
            parsing: try await transport.exchange(.advertisement("git-receive-pack")), service: "git-receive-pack"
        )
        let ref = Self.branchRef(in: advertisement, preferring: branch)
        guard let current = advertisement.refs[ref] else {
            return Written(outcome: .conflict(reason: "\(ref) does not exist, so it is not at the observed commit \(parent)"))
        }
        guard current == parent else {
            return Written(outcome: .conflict(reason: "\(ref) is at \(current), not at the observed commit \(parent)"))
        }
        for needed in ["report-status", "side-band-64k"] where !advertisement.capabilities.contains(needed) {
            throw GitProtocolError(.advertisement, "receive-pack does not offer the `\(needed)` capability")
        }
        let base: GitTree
        if let parentTree {
            base = parentTree
        } else {
            base = try await UploadPackFetch(transport: transport, agent: Self.agent).tree(ofCommit: parent)
        }
        let blob = GitObject.blob(content)
        let tree = base.replacingFile(named: name, with: blob.id)
        let signature = GitSignature(name: author, email: email, time: wallClock())
        let commit = GitCommit(
            tree: tree.object.id, parents: [parent], author: signature, committer: signature, message: "Update \(name)\n"
        ).object
        var request = PktLine.encode("\(parent.hex) \(commit.id.hex) \(ref)\0report-status side-band-64k agent=\(Self.agent)\n")
        request += PktLine.flushBytes
        request += PackWriter.pack([blob, tree.object, commit])
        let report = try ReceivePackReport(parsingSideBand: try await transport.exchange(.rpc("git-receive-pack", body: request)))
        if let unpackError = report.unpackError {
            throw GitProtocolError(.report, "receive-pack could not unpack the pack: unpack \(unpackError)")
        }
        switch report.refs[ref] {
        case .ok: return Written(outcome: .written(commit.id), tree: tree)
        case .rejected(let reason):
            let said =
                report.serverMessages.isEmpty ? "" : " (receive-pack said: \(report.serverMessages.replacingControlCharacters()))"
            return Written(outcome: .conflict(reason: "ng \(ref) \(reason)\(said)"))
        case nil: throw GitProtocolError(.report, "receive-pack reported nothing for \(ref)")
        }
    }
}
