public import Foundation
import HTTPTypes

/// The store `gist-server` runs on: gists kept in files, a JSON state file (with its revision
/// journal) that is written before every change is answered and read back at start, and beside it
/// the gists' bare git repositories. Memory holds only a copy of what the files hold. Without a
/// state file and repositories (tests) it keeps gists in memory alone.
///
/// With `repositories`, every gist is also a bare git repository and its files live there: a REST
/// write is a commit that moves `main` only if `main` is still at the revision it was applied to
/// (git's ref lock decides, as it does for pushes), revisions are named by their commit ids, and
/// pushes show in REST once `importPushes(to:by:)` has read them.
public actor FileBackedGistStore: GistStore {
    private var gists: [String: Gist]
    private let stateFile: GistStateFile?
    private let now: @Sendable () -> Date
    /// The repositories behind the gists, when they are kept in git.
    public nonisolated let repositories: GistRepositories?
    /// Git work is done one change at a time, so that a REST write and a push import never interleave.
    private var gitBusy = false
    private var gitWaiting: [CheckedContinuation<Void, Never>] = []

    /// Creates a store, loading `stateFile` when it exists (and creating it when it does not, so an
    /// unwritable location is reported at start, not at the first write).
    /// - Parameters:
    ///   - stateFile: path of the JSON state file; `nil` keeps gists in memory only.
    ///   - gists: gists to start with when there is no state file (tests).
    ///   - now: wall time for created_at, updated_at and committed_at.
    ///   - repositories: where the gists' git repositories live; `nil` keeps files in memory only.
    /// - Throws: `GistServerError` for a corrupt, unreadable or unwritable state file.
    public init(
        stateFile: String? = nil, gists: [Gist] = [], now: @escaping @Sendable () -> Date = { Date() },
        repositories: GistRepositories? = nil
    ) throws {
        self.repositories = repositories
        // Whole seconds, as GitHub's timestamps are, so that the state file round-trips exactly.
        self.now = { Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down)) }
        let file = stateFile.map(GistStateFile.init(path:))
        self.stateFile = file
        var loaded = gists
        if let file {
            loaded = try file.open()
        }
        self.gists = Dictionary(loaded.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Opens the store `configuration` describes, as `gist-server` runs it: the repositories directory
    /// (created when missing), the state file (likewise), then the pushes the state file missed.
    /// The configuration is taken as already validated.
    /// - Throws: `GistServerError` for a repositories directory or state file that cannot be used.
    public static func open(_ configuration: GistServerConfiguration) async throws -> FileBackedGistStore {
        var repositories: GistRepositories?
        if let directory = configuration.repositoriesDirectory {
            repositories = try await GistRepositories(directory: directory)
        }
        let store = try FileBackedGistStore(
            stateFile: configuration.stateFile, now: configuration.now, repositories: repositories)
        try await store.importAllPushes()
        return store
    }

    /// Creates a gist with a fresh 32-hex id.
    public func create(_ new: NewGist, owner: String) async throws -> Gist {
        var id = Self.newID()
        while gists[id] != nil { id = Self.newID() }
        var gist = Gist(id: id, new: new, ownerLogin: owner, at: now())
        if let repositories {
            try await exclusively {
                try await repositories.create(id)
                let files = new.files.mapValues { Optional(Array($0.utf8)) }
                guard
                    let commit = try await repositories.commit(
                        id, files: files, parent: nil, committer: owner, at: gist.createdAt, message: "")
                else { throw GistServerError.invalidConfiguration("the new repository of gist \(id) already had a commit") }
                gist.revisions[0].version = commit
                try save(gist, for: id)
            }
        } else {
            try save(gist, for: id)
        }
        return gist
    }

    /// The gist with `id`, or `nil`.
    public func gist(id: String) -> Gist? {
        gists[id]
    }

    /// Applies `edit`; writes the state file only when something changed. With repositories, the
    /// new files are a commit on the revision the edit was applied to; when a push moved `main`
    /// meanwhile, the push is read in and the edit applied again on top of it, as GitHub does.
    public func update(id: String, with edit: GistEdit, by login: String) async throws -> Gist? {
        guard let repositories else {
            guard var gist = gists[id] else { return nil }
            if try gist.apply(edit, by: login, at: now()) { try save(gist, for: id) }
            return gist
        }
        return try await exclusively {
            for _ in 0..<5 {
                guard var gist = gists[id] else { return nil }
                let before = gist.revisions.count
                let parent = gist.revisions.last
                guard try gist.apply(edit, by: login, at: now(), version: GistRepositories.noCommit) else { return gist }
                guard gist.revisions.count > before, let parent else {
                    try save(gist, for: id)  // the description alone changed
                    return gist
                }
                let newFiles = gist.files
                // Files the edit left alone keep their entry, so binary and large files stay byte for byte.
                let changes = newFiles.mapValues { Optional(Array($0.utf8)) }.merging(
                    newFiles.filter { parent.files[$0.key] == $0.value }.mapValues { _ in nil }
                ) { $1 }
                if let commit = try await repositories.commit(
                    id, files: changes, parent: parent.version, committer: login, at: gist.updatedAt, message: "")
                {
                    gist.revisions[gist.revisions.count - 1].version = commit
                    try save(gist, for: id)
                    return gist
                }
                try await readPushes(to: id, by: login)
            }
            throw GitHubAPIError(.conflict, message: "Gist was changed by pushes while it was being updated; try again")
        }
    }

    /// Reads the commits pushed to the gist's repository since the newest revision known, as revisions
    /// made by `login`; does nothing without repositories.
    public func importPushes(to id: String, by login: String) async throws {
        guard repositories != nil else { return }
        try await exclusively { try await readPushes(to: id, by: login) }
    }

    /// Reads every gist's pushes that the state file missed (a server stopped between a push and its
    /// import), at start.
    public func importAllPushes() async throws {
        for id in gists.keys.sorted() {
            try await importPushes(to: id, by: gists[id]?.ownerLogin ?? AccessToken.defaultLogin)
        }
    }

    private func readPushes(to id: String, by login: String) async throws {
        guard let repositories, var gist = gists[id], let head = try await repositories.head(id),
            head != gist.latestVersion
        else { return }
        for commit in try await repositories.commits(id, after: gist.latestVersion, upTo: head) {
            let bytes = try await repositories.files(id, at: commit.id)
            gist.revisions.append(
                GistRevision(
                    after: gist.revisions.last, files: bytes.mapValues { String(decoding: $0, as: UTF8.self) },
                    committerLogin: login, at: commit.time, version: commit.id))
            gist.updatedAt = max(gist.updatedAt, commit.time)
        }
        try save(gist, for: id)
    }

    /// Deletes the gist (and its repository).
    public func delete(id: String) throws -> Bool {
        guard gists[id] != nil else { return false }
        try save(nil, for: id)
        repositories?.remove(id)
        return true
    }

    /// Every gist, for tests and the state file.
    public func all() -> [Gist] {
        gists.values.sorted { $0.createdAt < $1.createdAt }
    }

    /// Runs `body` when no other git work is under way.
    private func exclusively<T>(_ body: () async throws -> T) async throws -> T {
        if gitBusy {
            await withCheckedContinuation { gitWaiting.append($0) }
        }
        gitBusy = true
        defer {
            if gitWaiting.isEmpty { gitBusy = false } else { gitWaiting.removeFirst().resume() }
        }
        return try await body()
    }

    /// Writes the state file first, so that memory never holds a change the file lost.
    private func save(_ gist: Gist?, for id: String) throws(GistServerError) {
        var next = gists
        next[id] = gist
        try stateFile?.record(gist, id: id, known: gists[id]?.revisions.count ?? 0, all: Array(next.values))
        gists = next
    }

    private static func newID() -> String {
        (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255)
            return String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
        }.joined()
    }
}
