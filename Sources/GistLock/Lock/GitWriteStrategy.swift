import GitSmartHTTP
import LeaderElection

/// Writes as git pushes: a commit on the observed commit (the REST answer's `history[0].version`) that
/// receive-pack applies only if the branch is still there, so an accepted push is ours, with no settle
/// time and no read-back. A renewal builds on our own last commit and sends no REST request; REST is
/// then only for observing.
final class GitWriteStrategy: LockWriteStrategy {
    let mode = "git"
    private let writer: GitGistWriter
    /// Our last accepted push: the commit, the bytes it holds and its tree.
    private var ownCommit: (id: GitObjectID, bytes: [UInt8], tree: GitTree?)?

    init(writer: GitGistWriter) {
        self.writer = writer
    }

    func create(_ record: LeaderElectionRecord, lock: isolated GistLock) async throws {
        let seen = try await lock.base(matching: nil)
        if seen.raw != nil {
            throw lock.conflict(
                "lock file \(lock.fileName) appeared in gist \(lock.gistID) before it could be created: another candidate was first"
            )
        }
        try await push(record.jsonBytes(), on: seen, lock: lock)
    }

    func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8], lock: isolated GistLock) async throws {
        if let own = ownCommit, own.bytes == observedRaw {
            try await push(record.jsonBytes(), onCommit: own.id, tree: own.tree, lock: lock)
            return
        }
        // The compare is the push's own: a REST read older than the branch only makes it a conflict.
        let seen = try await lock.base(matching: observedRaw)
        guard let raw = seen.raw else {
            throw lock.conflict(
                "lock file \(lock.fileName) vanished from gist \(lock.gistID) since it was read: someone deleted it")
        }
        guard raw == observedRaw else {
            throw lock.conflict(
                "lock file \(lock.fileName) in gist \(lock.gistID) changed since it was read: another candidate wrote it")
        }
        try await push(record.jsonBytes(), on: seen, lock: lock)
    }

    /// Builds the commit on the one `seen` came from, or fails when the REST answer named none.
    private func push(_ bytes: [UInt8], on seen: GistLock.GistView, lock: isolated GistLock) async throws {
        guard let version = seen.version, let parent = GitObjectID(hex: version) else {
            throw lock.conflict(
                "gist \(lock.gistID)'s answer names no commit (history[0].version is \(seen.version ?? "missing")), so a push "
                    + "has nothing to build on; use API version 2022-11-28 (--github-api-version) or --write-mode rest")
        }
        try await push(bytes, onCommit: parent, tree: nil, lock: lock)
    }

    /// Pushes `bytes` as the lock file on `parent`. An accepted push is ours; a refused one is a conflict;
    /// a push without an answer leaves the write in doubt for the next read to settle.
    private func push(_ bytes: [UInt8], onCommit parent: GitObjectID, tree: GitTree?, lock: isolated GistLock) async throws {
        ownCommit = nil
        lock.lastSeenView = nil
        let written: GitGistWriter.Written
        do {
            written = try await writer.write(named: lock.fileName, content: bytes, parent: parent, parentTree: tree)
        } catch {
            lock.cached = nil
            throw error
        }
        switch written.outcome {
        case .written(let commit):
            ownCommit = (commit, bytes, written.tree)
        case .conflict(let reason):
            throw lock.conflict("push to gist \(lock.gistID) refused: \(reason); another candidate wrote first")
        }
    }
}
