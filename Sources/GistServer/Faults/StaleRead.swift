/// An older view of a gist that a stale-read fault serves, as a lagging or frozen replica would.
enum Staleness: Sendable, Equatable {
    /// As it was this many revisions before the newest.
    case revisionsBack(Int)
    /// As it was at this version (a prefix of at least 7 hex digits is enough).
    case version(String)
}

extension Gist {
    /// The gist as it looked when the chosen older revision was the newest: later revisions are
    /// left out and `updatedAt` is that revision's time. Going back past the first revision gives the
    /// first; a version the gist never had gives the gist unchanged.
    func asOf(_ staleness: Staleness) -> Gist {
        let last: Int
        switch staleness {
        case .revisionsBack(let back):
            last = max(revisions.count - 1 - back, 0)
        case .version(let version):
            guard let shown = revision(matching: version),
                let index = revisions.lastIndex(where: { $0.version == shown.version })
            else { return self }
            last = index
        }
        var older = self
        older.revisions = Array(revisions[...last])
        older.updatedAt = revisions[last].committedAt
        return older
    }
}
