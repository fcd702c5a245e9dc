import Foundation

extension Gist {
    /// Makes a new gist from a create request: one revision holding the files.
    init(id: String, new: NewGist, ownerLogin: String, at date: Date) {
        self.init(
            id: id, ownerLogin: ownerLogin, description: new.description, isPublic: new.isPublic,
            createdAt: date, updatedAt: date,
            revisions: [GistRevision(after: nil, files: new.files, committerLogin: ownerLogin, at: date)])
    }

    /// Applies a PATCH as GitHub does: files not named stay, `null` deletes, `filename` renames, an
    /// unknown name with content adds. A new revision is recorded only when the files changed.
    /// - Returns: whether anything (files or description) changed.
    /// - Parameter version: names the new revision; `nil` derives a name from its content.
    mutating func apply(_ edit: GistEdit, by login: String, at date: Date, version: String? = nil) throws(GitHubAPIError) -> Bool
    {
        let docs = GitHubAPIError.Docs.updateGist
        let original = files
        var result = original
        var added: [String: String] = [:]
        for name in edit.files.keys.sorted() {
            switch edit.files[name] {
            case .delete?, nil:
                result.removeValue(forKey: name)
            case .update(let content, let filename)?:
                let target = filename ?? name
                let newContent: String
                if let existing = original[name] {
                    newContent = content ?? existing
                    result.removeValue(forKey: name)
                } else if let content {
                    newContent = content
                } else {
                    continue  // renaming a file that does not exist changes nothing
                }
                guard added[target] == nil else { throw Self.duplicate(target, docs: docs) }
                added[target] = newContent
            }
        }
        for (name, content) in added {
            guard result[name] == nil else { throw Self.duplicate(name, docs: docs) }
            result[name] = content
        }
        guard !result.isEmpty else {
            throw .validationFailed(
                [.init(field: "files", code: "missing_field", message: "A gist must keep at least one file.")],
                documentationURL: docs)
        }

        var changed = false
        if result != original {
            revisions.append(
                GistRevision(after: revisions.last, files: result, committerLogin: login, at: date, version: version))
            changed = true
        }
        if let newDescription = edit.description, newDescription != description {
            description = newDescription
            changed = true
        }
        if changed { updatedAt = date }
        return changed
    }

    private static func duplicate(_ name: String, docs: String) -> GitHubAPIError {
        .validationFailed(
            [.init(field: "files", code: "already_exists", message: "A file named \(name.debugDescription) already exists.")],
            documentationURL: docs)
    }
}
