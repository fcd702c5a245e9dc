public import Foundation

/// One gist as the store keeps it: its metadata and every revision of its files, oldest first.
public struct Gist: Codable, Sendable, Equatable {
    /// The gist id (32 hex digits, as GitHub's).
    public var id: String
    /// Login of the user that owns the gist.
    public var ownerLogin: String
    /// Free text shown with the gist; `nil` when never given.
    public var description: String?
    /// Whether the gist is public; secret gists are still readable by anyone with the id.
    public var isPublic: Bool
    /// When the gist was created.
    public var createdAt: Date
    /// When the gist last changed (files or description).
    public var updatedAt: Date
    /// Every revision, oldest first; never empty.
    public var revisions: [GistRevision]

    /// The files of the newest revision, by filename.
    public var files: [String: String] { revisions.last?.files ?? [:] }

    /// The newest revision's version id.
    public var latestVersion: String { revisions.last?.version ?? "" }

    /// The revision whose version is `version`, or starts with it (at least 7 hex digits, as git allows).
    public func revision(matching version: String) -> GistRevision? {
        let wanted = version.lowercased()
        if let exact = revisions.last(where: { $0.version == wanted }) { return exact }
        guard wanted.count >= 7 else { return nil }
        let candidates = revisions.filter { $0.version.hasPrefix(wanted) }
        return candidates.count == 1 ? candidates[0] : nil
    }

    /// Creates a gist record; used by stores and by tests that seed a store.
    public init(
        id: String, ownerLogin: String, description: String?, isPublic: Bool,
        createdAt: Date, updatedAt: Date, revisions: [GistRevision]
    ) {
        self.id = id
        self.ownerLogin = ownerLogin
        self.description = description
        self.isPublic = isPublic
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.revisions = revisions
    }
}

/// One version of a gist's files: what a git commit of the gist repository holds.
public struct GistRevision: Codable, Sendable, Equatable {
    /// 40-hex version id, derived from the parent version, the committer, the time and the files.
    public var version: String
    /// When the revision was made.
    public var committedAt: Date
    /// Login of the user whose request made the revision.
    public var committerLogin: String
    /// Every file of this revision: filename to content.
    public var files: [String: String]
    /// Lines added compared with the previous revision.
    public var additions: Int
    /// Lines removed compared with the previous revision.
    public var deletions: Int

    /// Makes the revision that follows `parent` (or the first one), named `version` (a commit id) or,
    /// without a repository behind the gist, by a digest of its content.
    public init(
        after parent: GistRevision?, files: [String: String], committerLogin: String, at date: Date, version: String? = nil
    ) {
        let previous = parent?.files ?? [:]
        // Files equal on both sides add the same lines to both counts, so only the changed ones matter.
        let changed = Set(previous.keys).union(files.keys).filter { previous[$0] != files[$0] }
        let change = LineChange(from: previous.filter { changed.contains($0.key) }, to: files.filter { changed.contains($0.key) })
        if let version {
            self.version = version
        } else {
            var seed = "parent \(parent?.version ?? "none")\ncommitter \(committerLogin) \(date.timeIntervalSince1970)\n"
            for name in files.keys.sorted() {
                seed += "file \(name)\u{0}\(files[name] ?? "")\u{0}"
            }
            self.version = ContentDigest.sha1Hex(seed)
        }
        self.committedAt = date
        self.committerLogin = committerLogin
        self.files = files
        self.additions = change.additions
        self.deletions = change.deletions
    }
}

/// Line counts of a change between two sets of files, as gist history's change_status reports them.
///
/// Lines are compared as multisets over all files together, so a rename without an edit counts as
/// no change; that is close to git's numbers for the small files gists hold.
struct LineChange: Equatable {
    var additions: Int
    var deletions: Int

    init(from old: [String: String], to new: [String: String]) {
        let before = Self.lineCounts(old.values)
        let after = Self.lineCounts(new.values)
        additions = after.reduce(0) { $0 + max(0, $1.value - (before[$1.key] ?? 0)) }
        deletions = before.reduce(0) { $0 + max(0, $1.value - (after[$1.key] ?? 0)) }
    }

    private static func lineCounts(_ contents: some Sequence<String>) -> [Substring: Int] {
        var counts: [Substring: Int] = [:]
        for content in contents {
            for line in content.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
                counts[line, default: 0] += 1
            }
        }
        return counts
    }
}
