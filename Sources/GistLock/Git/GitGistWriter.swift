public import Foundation
public import GitSmartHTTP

/// Writes one file of a gist as a git commit on the observed commit, pushed so that receive-pack
/// applies it only if the gist's branch still points at that commit: a compare-and-swap on the gist.
public struct GitGistWriter: Sendable {
    /// What a write turned out to be, decided by the server's answer.
    typealias Outcome = GitBranchWriter.Outcome
    /// What `write` made: the outcome, and the tree of the commit it pushed.
    typealias Written = GitBranchWriter.Written

    /// The `agent=` capability and User-Agent sent to the gist's server.
    static let agent = "gist-lock/1"

    private let writer: GitBranchWriter

    /// A writer to the gist's repository behind `transport`, on `refs/heads/<branch>` (gists made before
    /// GitHub's move to `main` keep `master`, their only branch, which is then written), committing as
    /// `author <email>` at the times `wallClock` gives.
    public init(
        transport: any GitTransport, branch: String = "main", author: String = "leader-election",
        email: String = "leader-election@localhost", wallClock: @escaping @Sendable () -> Date
    ) {
        writer = GitBranchWriter(
            transport: transport, branch: branch, author: author, email: email, agent: Self.agent, advice: .gist,
            wallClock: wallClock)
    }

    /// Asks the gist's receive-pack for its advertisement, as a push would: succeeds only when the token
    /// may push. Throws `GitProtocolError` quoting the refusal otherwise.
    public func checkPushAccess() async throws {
        try await writer.checkPushAccess()
    }

    /// Commits `content` as the gist's file `name` on top of `parent`, every other file kept as it is,
    /// and pushes it with `parent` as the old id; `parentTree` (the tree of our own last commit) saves
    /// fetching `parent`'s. Throws when the push got no answer (its effect is unknown) or an answer
    /// that is not git's.
    func write(named name: String, content: [UInt8], parent: GitObjectID, parentTree: GitTree?) async throws -> Written {
        try await writer.write(named: name, content: content, parent: parent, parentTree: parentTree)
    }

    /// `write` without a known tree, for tests that look only at the outcome.
    func replaceFile(named name: String, with content: [UInt8], parent: GitObjectID) async throws -> Outcome {
        try await write(named: name, content: content, parent: parent, parentTree: nil).outcome
    }
}

extension GitAdvice {
    /// The gist lock's words: the repository is a gist's, found at its `git_push_url` in the API's answer.
    static let gist = GitAdvice(
        refusedToken: "give a token that may write this gist",
        forbiddenToken: "give a token with the gist scope",
        noRepository: "check the gist's git_push_url",
        notAURL: "give the gist's git_push_url",
        plainHTTP: "plain http only to a loopback host or to the host of a plain-http --github-api-url",
        answerTooLarge:
            "a git answer to the lock may take, so it was refused unread: check --github-api-url and the gist's git_push_url",
        notAFileName: "is not a gist file name: a gist holds files at its top level, so give a name without `/`")
}
