public import Foundation

/// Gists in memory, optionally mirrored to a JSON state file that is rewritten atomically after
/// every change and read back at start.
public actor InMemoryGistStore: GistStore {
    private var gists: [String: Gist]
    private let stateFile: GistStateFile?
    private let now: @Sendable () -> Date

    /// Creates a store, loading `stateFile` when it exists (and creating it when it does not, so an
    /// unwritable location is reported at start, not at the first write).
    /// - Parameters:
    ///   - stateFile: path of the JSON state file; `nil` keeps gists in memory only.
    ///   - gists: gists to start with when there is no state file (tests).
    ///   - now: wall time for created_at, updated_at and committed_at.
    /// - Throws: `GistServerError` for a corrupt, unreadable or unwritable state file.
    public init(stateFile: String? = nil, gists: [Gist] = [], now: @escaping @Sendable () -> Date = { Date() }) throws {
        // Whole seconds, as GitHub's timestamps are, so that the state file round-trips exactly.
        self.now = { Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down)) }
        let file = stateFile.map(GistStateFile.init(path:))
        self.stateFile = file
        var loaded = gists
        if let file {
            loaded = try file.load()
            try file.save(loaded)
        }
        self.gists = Dictionary(loaded.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Creates a gist with a fresh 32-hex id.
    public func create(_ new: NewGist, owner: String) throws -> Gist {
        var id = Self.newID()
        while gists[id] != nil { id = Self.newID() }
        let gist = Gist(id: id, new: new, ownerLogin: owner, at: now())
        try commit(gist, for: id)
        return gist
    }

    /// The gist with `id`, or `nil`.
    public func gist(id: String) -> Gist? {
        gists[id]
    }

    /// Applies `edit`; writes the state file only when something changed.
    public func update(id: String, with edit: GistEdit, by login: String) throws -> Gist? {
        guard var gist = gists[id] else { return nil }
        if try gist.apply(edit, by: login, at: now()) {
            try commit(gist, for: id)
        }
        return gist
    }

    /// Deletes the gist.
    public func delete(id: String) throws -> Bool {
        guard gists[id] != nil else { return false }
        try commit(nil, for: id)
        return true
    }

    /// Every gist, for tests and the state file.
    public func all() -> [Gist] {
        gists.values.sorted { $0.createdAt < $1.createdAt }
    }

    /// Writes the state file first, so that memory never holds a change the file lost.
    private func commit(_ gist: Gist?, for id: String) throws(GistServerError) {
        var next = gists
        next[id] = gist
        try stateFile?.save(Array(next.values))
        gists = next
    }

    private static func newID() -> String {
        (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255)
            return String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
        }.joined()
    }
}
