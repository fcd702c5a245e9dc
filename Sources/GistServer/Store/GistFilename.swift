/// The names a gist's file may have: a top-level entry of a git tree that every clone can check out.
/// A name git cannot hold (empty, with a slash or NUL) would corrupt the repository for good, and one
/// it holds but refuses to check out (`.`, `..`, `.git`) would break every clone, so both are refused
/// before anything is written.
enum GistFilename {
    /// Longest name in bytes of UTF-8, the common limit of file systems.
    static let maximumBytes = 255

    /// Why `name` cannot name a gist's file, or `nil` when it can.
    static func problem(_ name: String) -> String? {
        if name.allSatisfy(\.isWhitespace) { return "a file name must not be empty or blank" }
        if name.contains("/") { return "a file name must not contain \"/\": a gist has no folders" }
        if name == "." || name == ".." { return "\".\" and \"..\" name folders, not files" }
        if isDotGit(name) { return "\".git\" is git's own folder and cannot be a file of a gist" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "a file name must not contain control characters (NUL, newline, tab, ...)"
        }
        let bytes = name.utf8.count
        if bytes > maximumBytes { return "a file name is at most \(maximumBytes) bytes of UTF-8, this one has \(bytes)" }
        return nil
    }

    /// `.git` as git itself refuses it in a tree on any file system: any case, trailing dots or spaces
    /// (NTFS drops them), or its NTFS short name.
    private static func isDotGit(_ name: String) -> Bool {
        var folded = Substring(name.lowercased())
        while let last = folded.last, last == "." || last == " " { folded = folded.dropLast() }
        return folded == ".git" || folded == "git~1"
    }

    /// The 422 GitHub answers for a file name it refuses, in its `errors` shape.
    static func refusal(_ name: String, problem: String, documentationURL: String) -> GitHubAPIError {
        .validationFailed(
            [.init(field: "files", code: "invalid", message: "Filename \(name.debugDescription) is not allowed: \(problem).")],
            documentationURL: documentationURL)
    }

    /// Throws the 422 for `name` when it cannot name a gist's file.
    static func check(_ name: String, documentationURL: String) throws(GitHubAPIError) {
        if let problem = problem(name) { throw refusal(name, problem: problem, documentationURL: documentationURL) }
    }
}
