import Foundation

/// The parts of GitHub's "gist-simple" answer that the lock reads.
public struct Gist: Sendable, Equatable, Decodable {
    /// The gist id, as used in `/gists/{id}`.
    public var id: String
    /// The gist's description (GitHub allows `null`).
    public var description: String?
    /// Whether the gist is listed publicly; lock gists are secret.
    public var isPublic: Bool?
    /// Files by name; a `null` entry is left out.
    public var files: [String: GistFile]
    /// The newest revision (`history[0].version`), when GitHub sent the history.
    public var version: String?
    /// The gist's web page.
    public var htmlURL: String?
    /// Where the gist's repository takes pushes (`git_push_url`), when GitHub sent it.
    public var gitPushURL: String?
    /// Whether GitHub cut the file list (a gist of more than 300 files lists only the first 300).
    public var truncated: Bool

    /// A gist value, as tests and callers that build one by hand need.
    public init(
        id: String, description: String? = nil, isPublic: Bool? = nil, files: [String: GistFile],
        version: String? = nil, htmlURL: String? = nil, truncated: Bool = false, gitPushURL: String? = nil
    ) {
        self.gitPushURL = gitPushURL
        self.id = id
        self.description = description
        self.isPublic = isPublic
        self.files = files
        self.version = version
        self.htmlURL = htmlURL
        self.truncated = truncated
    }

    private enum CodingKeys: String, CodingKey {
        case id, description, files, history, truncated
        case isPublic = "public"
        case htmlURL = "html_url"
        case gitPushURL = "git_push_url"
    }

    private struct Revision: Decodable {
        var version: String?
    }

    /// Decodes GitHub's JSON, leaving out `null` file entries and keeping only the newest revision.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        isPublic = try container.decodeIfPresent(Bool.self, forKey: .isPublic)
        let entries = try container.decode([String: GistFile?].self, forKey: .files)
        files = entries.compactMapValues { $0 }
        let history = try container.decodeIfPresent([Revision].self, forKey: .history)
        version = history?.first?.version
        htmlURL = try container.decodeIfPresent(String.self, forKey: .htmlURL)
        gitPushURL = try container.decodeIfPresent(String.self, forKey: .gitPushURL)
        truncated = try container.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
    }
}

/// One file of a gist, as GitHub's single-gist answer describes it.
public struct GistFile: Sendable, Equatable, Decodable {
    /// The file name.
    public var filename: String?
    /// The inline content; GitHub cuts it at 1 MB and then sets `truncated`.
    public var content: String?
    /// True when `content` is incomplete (over 1 MB); the lock never follows `rawURL` to complete it.
    public var truncated: Bool
    /// Where the full content could be fetched (never read by the lock: it may lag behind).
    public var rawURL: String?
    /// The size of the whole file in bytes.
    public var size: Int?
    /// How `content` is encoded: "utf-8" (the default) or "base64".
    public var encoding: String?

    /// A file value, as tests and callers that build one by hand need.
    public init(
        filename: String?, content: String?, truncated: Bool = false, rawURL: String? = nil,
        size: Int? = nil, encoding: String? = nil
    ) {
        self.filename = filename
        self.content = content
        self.truncated = truncated
        self.rawURL = rawURL
        self.size = size
        self.encoding = encoding
    }

    private enum CodingKeys: String, CodingKey {
        case filename, content, truncated, size, encoding
        case rawURL = "raw_url"
    }

    /// Decodes GitHub's JSON; a missing `truncated` means false.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        filename = try container.decodeIfPresent(String.self, forKey: .filename)
        content = try container.decodeIfPresent(String.self, forKey: .content)
        truncated = try container.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
        rawURL = try container.decodeIfPresent(String.self, forKey: .rawURL)
        size = try container.decodeIfPresent(Int.self, forKey: .size)
        encoding = try container.decodeIfPresent(String.self, forKey: .encoding)
    }

    /// The content as stored bytes, decoding base64 when GitHub sent it that way; `nil` when absent.
    public var contentBytes: [UInt8]? {
        guard let content else { return nil }
        if encoding?.lowercased() == "base64" {
            return Data(base64Encoded: content, options: .ignoreUnknownCharacters).map(Array.init)
        }
        return Array(content.utf8)
    }
}

/// The answer to a conditional read of a gist.
public enum GistRead: Sendable, Equatable {
    /// The gist as it is now, with the ETag to send as `If-None-Match` next time.
    case modified(Gist, etag: String?)
    /// 304: unchanged since the ETag that was sent; reuse the body read with it.
    case notModified
}
