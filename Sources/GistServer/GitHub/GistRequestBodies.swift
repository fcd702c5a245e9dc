import Foundation

/// What a valid `POST /gists` body asks for.
public struct NewGist: Sendable, Equatable {
    /// Description, or `nil` when the body has none.
    public var description: String?
    /// Whether the gist is public (default false: secret).
    public var isPublic: Bool
    /// Filename to content; never empty, no empty content.
    public var files: [String: String]

    /// Creates a request for a new gist.
    public init(description: String? = nil, isPublic: Bool = false, files: [String: String]) {
        self.description = description
        self.isPublic = isPublic
        self.files = files
    }
}

/// What a valid `PATCH /gists/{id}` body asks for.
public struct GistEdit: Sendable, Equatable {
    /// A change of one file, named by its current filename.
    public enum FileChange: Sendable, Equatable {
        /// `{name: null}`, `{name: {}}` or `{name: {content: ""}}`.
        case delete
        /// New content and/or new filename; an unknown name with content adds a file.
        case update(content: String?, filename: String?)
    }

    /// `.some(x)` sets the description to x (`nil` clears it); `nil` leaves it unchanged.
    public var description: String??
    /// Changes by current filename.
    public var files: [String: FileChange]

    /// Creates an edit.
    public init(description: String?? = nil, files: [String: FileChange] = [:]) {
        self.description = description
        self.files = files
    }
}

/// Parses request bodies into `NewGist` and `GistEdit`, answering malformed ones as GitHub does:
/// 400 for bytes that are not JSON, 422 for JSON of the wrong shape.
enum GistRequestBodies {
    static func newGist(from body: Data) throws(GitHubAPIError) -> NewGist {
        let docs = GitHubAPIError.Docs.createGist
        guard case .object(let fields) = try parse(body, docs: docs) else {
            throw .invalidRequest("Invalid input: object is expected.", documentationURL: docs)
        }
        guard let filesValue = fields["files"] else {
            throw .invalidRequest("\"files\" wasn't supplied.", documentationURL: docs)
        }
        guard case .object(let fileFields) = filesValue else {
            throw .invalidRequest("For 'properties/files', \(filesValue.quoted) is not an object.", documentationURL: docs)
        }
        var files: [String: String] = [:]
        for (name, value) in fileFields {
            guard case .object(let file) = value else {
                throw .invalidRequest("For 'additionalProperties', \(value.quoted) is not an object.", documentationURL: docs)
            }
            guard let content = file["content"] else {
                throw .invalidRequest("\"content\" wasn't supplied.", documentationURL: docs)
            }
            guard case .string(let text) = content else {
                throw .invalidRequest("For 'properties/content', \(content.quoted) is not a string.", documentationURL: docs)
            }
            try GistFilename.check(name, documentationURL: docs)
            guard !text.isEmpty else {
                throw .validationFailed([.init(field: "files", code: "missing_field")], documentationURL: docs)
            }
            files[name] = text
        }
        guard !files.isEmpty else {
            throw .validationFailed([.init(field: "files", code: "missing_field")], documentationURL: docs)
        }
        return NewGist(
            description: try description(fields["description"], docs: docs),
            isPublic: try isPublic(fields["public"], docs: docs),
            files: files)
    }

    static func edit(from body: Data) throws(GitHubAPIError) -> GistEdit {
        let docs = GitHubAPIError.Docs.updateGist
        let value = try parse(body, docs: docs)
        var fields: [String: JSONValue] = [:]
        switch value {
        case .object(let object): fields = object
        case .null: break
        default: throw .invalidRequest("Invalid input: object is expected.", documentationURL: docs)
        }
        var edit = GistEdit()
        if let description = fields["description"] {
            edit.description = .some(try Self.description(description, docs: docs))
        }
        if let filesValue = fields["files"] {
            guard case .object(let fileFields) = filesValue else {
                throw .invalidRequest("For 'properties/files', \(filesValue.quoted) is not an object.", documentationURL: docs)
            }
            for (name, change) in fileFields {
                // Every key, even one that deletes: a name git cannot hold never names a file.
                try GistFilename.check(name, documentationURL: docs)
                edit.files[name] = try fileChange(change, docs: docs)
            }
        }
        guard edit.description != nil || fields["files"] != nil else {
            throw .validationFailed(
                [.init(field: "files", code: "missing_field", message: "At least one of description or files is required.")],
                documentationURL: docs)
        }
        return edit
    }

    private static func fileChange(_ value: JSONValue, docs: String) throws(GitHubAPIError) -> GistEdit.FileChange {
        switch value {
        case .null:
            return .delete
        case .object(let file):
            var content: String?
            var filename: String?
            switch file["content"] {
            case nil, .null?: break
            case .string(let text)?: content = text
            case let other?:
                throw .invalidRequest("For 'properties/content', \(other.quoted) is not a string.", documentationURL: docs)
            }
            switch file["filename"] {
            case nil, .null?: break
            case .string(let name)?:
                try GistFilename.check(name, documentationURL: docs)
                filename = name
            case let other?:
                throw .invalidRequest("For 'properties/filename', \(other.quoted) is not a string.", documentationURL: docs)
            }
            if content == nil && filename == nil { return .delete }
            if content == "" { return .delete }
            return .update(content: content, filename: filename)
        default:
            throw .invalidRequest("For 'additionalProperties', \(value.quoted) is not an object.", documentationURL: docs)
        }
    }

    static func parse(_ body: Data, docs: String) throws(GitHubAPIError) -> JSONValue {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .null }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: body)
        } catch {
            throw .problemsParsingJSON(documentationURL: docs)
        }
    }

    private static func description(_ value: JSONValue?, docs: String) throws(GitHubAPIError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?:
            throw .invalidRequest("For 'properties/description', \(other.quoted) is not a string.", documentationURL: docs)
        }
    }

    private static func isPublic(_ value: JSONValue?, docs: String) throws(GitHubAPIError) -> Bool {
        switch value {
        case nil, .null?: return false
        case .bool(let flag)?: return flag
        case .string("true")?: return true
        case .string("false")?: return false
        case let other?:
            throw .invalidRequest(
                "For 'properties/public', \(other.quoted) is not a boolean or one of \"true\", \"false\".",
                documentationURL: docs)
        }
    }
}
