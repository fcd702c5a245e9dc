import Foundation

/// Stars, comments and forks of gists. They live beside the gist store, not in it, so that a store
/// only keeps gists and their revisions; they are kept in memory and start empty.
actor GistActivity {
    /// One comment on a gist.
    struct Comment: Sendable, Equatable {
        var id: Int
        var gistID: String
        var authorLogin: String
        var body: String
        var createdAt: Date
        var updatedAt: Date
    }

    /// One fork: the new gist's id, who made it and when.
    struct Fork: Sendable, Equatable {
        var forkID: String
        var ownerLogin: String
        var createdAt: Date
    }

    private var stars: [String: Set<String>] = [:]
    private var comments: [String: [Comment]] = [:]
    private var forks: [String: [Fork]] = [:]
    private var parents: [String: String] = [:]
    // GitHub's comment ids are global integers; start high enough to look like them.
    private var nextCommentID = 1_000_001
    private let now: @Sendable () -> Date

    init(now: @escaping @Sendable () -> Date) {
        self.now = { Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down)) }
    }

    func star(_ gistID: String, by login: String) { stars[gistID, default: []].insert(login) }

    func unstar(_ gistID: String, by login: String) { stars[gistID]?.remove(login) }

    func isStarred(_ gistID: String, by login: String) -> Bool { stars[gistID]?.contains(login) ?? false }

    /// Ids of the gists `login` has starred.
    func starred(by login: String) -> Set<String> {
        Set(stars.filter { $0.value.contains(login) }.keys)
    }

    func addComment(to gistID: String, by login: String, body: String) -> Comment {
        let time = now()
        let comment = Comment(id: nextCommentID, gistID: gistID, authorLogin: login, body: body, createdAt: time, updatedAt: time)
        nextCommentID += 1
        comments[gistID, default: []].append(comment)
        return comment
    }

    /// Comments of a gist, oldest first.
    func comments(of gistID: String) -> [Comment] { comments[gistID] ?? [] }

    func comment(_ id: Int, of gistID: String) -> Comment? { comments[gistID]?.first { $0.id == id } }

    func editComment(_ id: Int, of gistID: String, body: String) -> Comment? {
        guard let index = comments[gistID]?.firstIndex(where: { $0.id == id }) else { return nil }
        comments[gistID]?[index].body = body
        comments[gistID]?[index].updatedAt = now()
        return comments[gistID]?[index]
    }

    func deleteComment(_ id: Int, of gistID: String) {
        comments[gistID]?.removeAll { $0.id == id }
    }

    func recordFork(of parentID: String, as fork: Fork) {
        forks[parentID, default: []].append(fork)
        parents[fork.forkID] = parentID
    }

    /// Forks of a gist, oldest first.
    func forks(of gistID: String) -> [Fork] { forks[gistID] ?? [] }

    /// The gist this one was forked from, if any.
    func parent(of gistID: String) -> String? { parents[gistID] }

    /// Forgets what belonged to a deleted gist.
    func forget(_ gistID: String) {
        stars[gistID] = nil
        comments[gistID] = nil
        forks[gistID] = nil
    }
}
