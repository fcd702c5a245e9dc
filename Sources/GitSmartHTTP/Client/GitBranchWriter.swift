public import Foundation
import TextEscaping

/// Writes one file at the top of a branch's tree as a git commit on an observed commit, pushed so that
/// receive-pack applies it only if the branch still points at that commit: a compare-and-swap on the
/// branch.
public struct GitBranchWriter: Sendable {
    /// What a write turned out to be, decided by the server's answer.
    public enum Outcome: Sendable, Equatable {
        /// The branch now points at this commit, which is ours.
        case written(GitObjectID)
        /// The branch had moved on, or receive-pack refused the update; git's reason is quoted.
        case conflict(reason: String)
    }

    /// What `write` made: the outcome, and the tree of the commit it pushed.
    public struct Written: Sendable {
        public var outcome: Outcome
        /// Given back to the next `write` on this commit, it saves fetching the tree.
        public var tree: GitTree?
    }

    private let transport: any GitTransport
    private let branch: String
    private let author: String
    private let email: String
    private let agent: String
    private let advice: GitAdvice
    private let wallClock: @Sendable () -> Date

    /// A writer to the repository behind `transport`, on `refs/heads/<branch>` (or the repository's only
    /// branch when it has no such one), committing as `author <email>` at the times `wallClock` gives,
    /// sending `agent` as its `agent=` capability; its errors end in `advice`.
    public init(
        transport: any GitTransport, branch: String, author: String, email: String, agent: String,
        advice: GitAdvice = .generic, wallClock: @escaping @Sendable () -> Date
    ) {
        self.transport = transport
        self.branch = branch
        self.author = author
        self.email = email
        self.agent = agent
        self.advice = advice
        self.wallClock = wallClock
    }

    /// `refs/heads/<preferred>`, or the repository's only branch when it has no such one (a repository
    /// made before its host's move to `main` keeps `master`).
    static func branchRef(in advertisement: RefAdvertisement, preferring preferred: String) -> String {
        let wanted = "refs/heads/\(preferred)"
        guard advertisement.refs[wanted] == nil else { return wanted }
        let branches = advertisement.refs.keys.filter { $0.hasPrefix("refs/heads/") }
        return branches.count == 1 ? branches[0] : wanted
    }

    /// Asks receive-pack for its advertisement, as a push would: succeeds only when the token may push
    /// and receive-pack offers what a write needs. Throws `GitProtocolError` quoting the refusal otherwise.
    public func checkPushAccess() async throws {
        try await redacting { _ = try await pushAdvertisement() }
    }

    /// receive-pack's advertisement, with the capabilities a write needs.
    private func pushAdvertisement() async throws -> RefAdvertisement {
        let advertisement = try RefAdvertisement(
            parsing: try await transport.exchange(.advertisement("git-receive-pack"), advice: advice), service: "git-receive-pack"
        )
        try advertisement.require(["report-status", "side-band-64k"], of: "receive-pack", stage: .advertisement)
        return advertisement
    }

    /// Commits `content` as the file `name` on top of `parent`, every other entry of `parent`'s tree
    /// kept as it is, and pushes it with `parent` as the old id. `parentTree`, when known (the tree of
    /// our own last commit), is taken as `parent`'s tree, which saves fetching it. Throws when the push
    /// got no answer (its effect is unknown) or an answer that is not git's.
    public func write(named name: String, content: [UInt8], parent: GitObjectID, parentTree: GitTree?) async throws -> Written {
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
            throw GitProtocolError(.object, "\"\(name)\" \(advice.notAFileName)")
        }
        let advertisement = try await pushAdvertisement()
        let ref = Self.branchRef(in: advertisement, preferring: branch)
        guard let current = advertisement.refs[ref] else {
            return Written(outcome: .conflict(reason: "\(ref) does not exist, so it is not at the observed commit \(parent)"))
        }
        guard current == parent else {
            return Written(outcome: .conflict(reason: "\(ref) is at \(current), not at the observed commit \(parent)"))
        }
        let base: GitTree
        if let parentTree {
            base = parentTree
        } else {
            base = try await UploadPackFetch(transport: transport, agent: agent, advice: advice).tree(ofCommit: parent)
        }
        let blob = GitObject.blob(content)
        let tree = base.replacingFile(named: name, with: blob.id)
        let signature = GitSignature(name: author, email: email, time: wallClock())
        let commit = GitCommit(
            tree: tree.object.id, parents: [parent], author: signature, committer: signature, message: "Update \(name)\n"
        ).object
        var request = PktLine.encode("\(parent.hex) \(commit.id.hex) \(ref)\0report-status side-band-64k agent=\(agent)\n")
        request += PktLine.flushBytes
        request += PackWriter.pack([blob, tree.object, commit])
        let report = try ReceivePackReport(
            parsingSideBand: try await transport.exchange(.rpc("git-receive-pack", body: request), advice: advice))
        if let unpackError = report.unpackError {
            throw GitProtocolError(.report, "receive-pack could not unpack the pack: unpack \(unpackError)")
        }
        switch report.refs[ref] {
        case .ok: return Written(outcome: .written(commit.id), tree: tree)
        case .rejected(let reason):
            let said =
                report.serverMessages.isEmpty ? "" : " (receive-pack said: \(report.serverMessages.escapedForLog(quoting: true)))"
            return Written(outcome: .conflict(reason: "ng \(ref) \(reason)\(said)"))
        case nil: throw GitProtocolError(.report, "receive-pack reported nothing for \(ref)")
        }
    }
}
