/// Where the server keeps gists. Implementations are actors or otherwise safe to share.
public protocol GistStore: Sendable {
    /// The git repositories behind the gists, served at `/{gist_id}.git`; `nil` for a store without git.
    var repositories: GistRepositories? { get }
    /// Creates a gist owned by `owner` and returns it.
    func create(_ new: NewGist, owner: String) async throws -> Gist
    /// The gist with `id`, or `nil` when there is none.
    func gist(id: String) async throws -> Gist?
    /// Applies `edit` as `login`; `nil` when the gist does not exist. Throws `GitHubAPIError` (422)
    /// for an edit GitHub would refuse (a rename onto an existing name, deleting every file).
    func update(id: String, with edit: GistEdit, by login: String) async throws -> Gist?
    /// Every gist, oldest first; the list endpoints filter and page it.
    func all() async throws -> [Gist]
    /// Deletes the gist; `false` when it did not exist.
    func delete(id: String) async throws -> Bool
    /// Reads the commits pushed to the gist's repository into its revisions, as made by `login`.
    func importPushes(to id: String, by login: String) async throws
}

extension GistStore {
    /// A store keeps no repositories unless it says so.
    public var repositories: GistRepositories? { nil }

    /// A store without repositories has no pushes to read.
    public func importPushes(to id: String, by login: String) async throws {}
}
