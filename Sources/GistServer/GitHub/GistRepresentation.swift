import Foundation

/// The JSON bodies of the gist endpoints, in the shapes of GitHub's `gist-simple`, `gist-commit` and
/// `simple-user` schemas. URLs are built on the address the client used, so they point back here.
struct GistRepresentation {
    /// Scheme, host and port the client used, e.g. `http://127.0.0.1:8787`.
    let baseURL: String
    /// Content longer than this many bytes is cut and marked `truncated` (GitHub: 1 MB).
    let inlineContentLimit: Int

    /// The REST version asked for; it picks which deprecated fields are still sent.
    var apiVersion = GitHubAPIVersion.v2022_11_28

    /// What a gist body shows besides the gist itself: counts and links kept by `GistActivity`.
    struct Extras {
        var commentCount = 0
        var forks: [(fork: GistActivity.Fork, gist: Gist?)] = []
        var forkOf: Gist?
    }

    /// GitHub's API shows at most this many files of a gist and marks the rest with `truncated`.
    static let maxFiles = 300

    /// `gist-simple` for the gist as of `revision` (the newest when `nil`).
    func gist(_ gist: Gist, at revision: GistRevision? = nil, extras: Extras = Extras()) -> GistBody {
        var body = baseGist(gist, at: revision, extras: extras, withContent: true)
        if let parent = extras.forkOf {
            body.fork_of = GistBodyBox(baseGist(parent, at: nil, extras: Extras(), withContent: false))
        }
        // 2026-03-10 no longer sends `forks` and `history`: the commits and forks endpoints list them.
        guard !GitHubAPIVersion.dropsDeprecatedFields(apiVersion) else { return body }
        body.forks = extras.forks.map { entry in
            ForkBody(
                id: entry.fork.forkID, url: "\(baseURL)/gists/\(entry.fork.forkID)",
                user: publicUser(entry.fork.ownerLogin), created_at: entry.fork.createdAt,
                updated_at: entry.gist?.updatedAt ?? entry.fork.createdAt)
        }
        body.history = commits(of: gist, in: 0..<min(Self.historyLimit, gist.revisions.count))
        return body
    }

    /// `base-gist`, as list endpoints show each gist: files without their content, no history, no forks.
    func baseGist(_ gist: Gist, extras: Extras = Extras()) -> GistBody {
        baseGist(gist, at: nil, extras: extras, withContent: false)
    }

    private func baseGist(_ gist: Gist, at revision: GistRevision?, extras: Extras, withContent: Bool) -> GistBody {
        let shown = revision ?? gist.revisions.last
        let files = shown?.files ?? [:]
        let version = shown?.version ?? gist.latestVersion
        let names = files.keys.sorted()
        var fileBodies: [String: FileBody] = [:]
        for name in names.prefix(Self.maxFiles) {
            fileBodies[name] = file(
                name: name, content: files[name] ?? "", gist: gist, version: version, withContent: withContent)
        }
        let gistURL = "\(baseURL)/gists/\(gist.id)"
        return GistBody(
            url: gistURL, forks_url: "\(gistURL)/forks", commits_url: "\(gistURL)/commits", id: gist.id,
            node_id: "G_kwDO" + String(gist.id.prefix(18)), git_pull_url: "\(baseURL)/\(gist.id).git",
            git_push_url: "\(baseURL)/\(gist.id).git", html_url: "\(baseURL)/\(gist.id)", files: fileBodies,
            public: gist.isPublic, created_at: gist.createdAt, updated_at: revision?.committedAt ?? gist.updatedAt,
            description: gist.description, comments: extras.commentCount, comments_enabled: true,
            comments_url: "\(gistURL)/comments", owner: user(gist.ownerLogin), forks: nil, history: nil,
            fork_of: nil, truncated: names.count > Self.maxFiles)
    }

    /// How many commits `history` shows, newest first. GitHub's description marks `history` deprecated
    /// and 2026-03-10 drops it; `GET /gists/{id}/commits` pages through all of them.
    static let historyLimit = 10

    /// `gist-commit` entries, newest first, at the given positions of that order.
    func commits(of gist: Gist, in positions: Range<Int>) -> [CommitBody] {
        let newest = gist.revisions.count - 1
        return positions.map { gist.revisions[newest - $0] }.map { revision in
            CommitBody(
                url: "\(baseURL)/gists/\(gist.id)/\(revision.version)", version: revision.version,
                user: user(revision.committerLogin),
                change_status: ChangeStatus(
                    total: revision.additions + revision.deletions, additions: revision.additions, deletions: revision.deletions),
                committed_at: revision.committedAt)
        }
    }

    /// `simple-user` for a login; the numeric id is derived from the login so it is stable.
    func user(_ login: String) -> UserBody {
        let users = "\(baseURL)/users/\(login)"
        return UserBody(
            login: login, id: Self.userID(login),
            node_id: "U_kgDO" + String(ContentDigest.sha1Hex(login).prefix(8)),
            avatar_url: "\(baseURL)/avatars/\(login)", gravatar_id: "", url: users, html_url: "\(baseURL)/\(login)",
            followers_url: "\(users)/followers", following_url: "\(users)/following{/other_user}",
            gists_url: "\(users)/gists{/gist_id}", starred_url: "\(users)/starred{/owner}{/repo}",
            subscriptions_url: "\(users)/subscriptions", organizations_url: "\(users)/orgs", repos_url: "\(users)/repos",
            events_url: "\(users)/events{/privacy}", received_events_url: "\(users)/received_events", type: "User",
            site_admin: false, user_view_type: "public")
    }

    /// The numeric id shown for a login: stable across restarts, since it is derived from the login.
    static func userID(_ login: String) -> Int {
        Int(ContentDigest.sha1Hex(login).prefix(7), radix: 16) ?? 1
    }

    /// Where the raw content of a file at a version is served.
    func rawURL(gistID: String, version: String, filename: String) -> String {
        let escaped = filename.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? filename
        return "\(baseURL)/gists/\(gistID)/raw/\(version)/\(escaped)"
    }

    private func file(name: String, content: String, gist: Gist, version: String, withContent: Bool) -> FileBody {
        let size = content.utf8.count
        let kind = FileKind(filename: name)
        let truncated = withContent && size > inlineContentLimit
        return FileBody(
            filename: name, type: kind.mimeType, language: kind.language,
            raw_url: rawURL(gistID: gist.id, version: version, filename: name), size: size, truncated: truncated,
            content: withContent ? (truncated ? Self.prefix(of: content, bytes: inlineContentLimit) : content) : nil,
            encoding: "utf-8")
    }

    /// The longest prefix of `content` within `bytes` UTF-8 bytes that ends on a character boundary.
    static func prefix(of content: String, bytes: Int) -> String {
        let utf8 = Array(content.utf8.prefix(bytes))
        var end = utf8.count
        while end > 0 {
            if let text = String(validating: utf8[0..<end], as: UTF8.self) { return text }
            end -= 1
        }
        return ""
    }
}

// Property names are GitHub's JSON keys, so the types encode without key mapping.

/// `gist-simple`, or `base-gist` when `forks` and `history` are `nil` (they are left out then).
struct GistBody: Encodable {
    let url, forks_url, commits_url, id, node_id, git_pull_url, git_push_url, html_url: String
    let files: [String: FileBody]
    let `public`: Bool
    let created_at, updated_at: Date
    let description: String?
    let comments: Int
    let comments_enabled: Bool
    let comments_url: String
    let owner: UserBody
    var forks: [ForkBody]?
    var history: [CommitBody]?
    var fork_of: GistBodyBox?
    let truncated: Bool

    enum CodingKeys: String, CodingKey {
        case url, forks_url, commits_url, id, node_id, git_pull_url, git_push_url, html_url, files, `public`
        case created_at, updated_at, description, comments, comments_enabled, user, comments_url, owner, forks
        case history, fork_of, truncated
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(url, forKey: .url)
        try container.encode(forks_url, forKey: .forks_url)
        try container.encode(commits_url, forKey: .commits_url)
        try container.encode(id, forKey: .id)
        try container.encode(node_id, forKey: .node_id)
        try container.encode(git_pull_url, forKey: .git_pull_url)
        try container.encode(git_push_url, forKey: .git_push_url)
        try container.encode(html_url, forKey: .html_url)
        try container.encode(files, forKey: .files)
        try container.encode(`public`, forKey: .public)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(updated_at, forKey: .updated_at)
        try container.encode(description, forKey: .description)  // null when absent, as GitHub sends it
        try container.encode(comments, forKey: .comments)
        try container.encode(comments_enabled, forKey: .comments_enabled)
        try container.encodeNil(forKey: .user)
        try container.encode(comments_url, forKey: .comments_url)
        try container.encode(owner, forKey: .owner)
        try container.encodeIfPresent(forks, forKey: .forks)
        try container.encodeIfPresent(history, forKey: .history)
        try container.encodeIfPresent(fork_of, forKey: .fork_of)
        try container.encode(truncated, forKey: .truncated)
    }
}

/// One entry of `files`.
struct FileBody: Encodable {
    let filename, type: String
    let language: String?
    let raw_url: String
    let size: Int
    let truncated: Bool
    /// Left out by list endpoints, as GitHub does.
    let content: String?
    let encoding: String
}

/// Indirection so that `fork_of` (a gist) can sit inside a gist body.
final class GistBodyBox: Encodable, Sendable {
    let value: GistBody
    init(_ value: GistBody) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// One entry of `forks` in `gist-simple`.
struct ForkBody: Encodable {
    let id, url: String
    let user: PublicUserBody
    let created_at, updated_at: Date
}

/// `gist-commit` (also the entries of `history`).
struct CommitBody: Encodable {
    let url, version: String
    let user: UserBody
    let change_status: ChangeStatus
    let committed_at: Date
}

/// `change_status` of a commit.
struct ChangeStatus: Encodable {
    let total, additions, deletions: Int
}

/// `simple-user`.
struct UserBody: Encodable {
    let login: String
    let id: Int
    let node_id, avatar_url, gravatar_id, url, html_url, followers_url, following_url, gists_url, starred_url: String
    let subscriptions_url, organizations_url, repos_url, events_url, received_events_url, type: String
    let site_admin: Bool
    let user_view_type: String
}
