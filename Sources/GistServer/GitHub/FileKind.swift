/// The MIME type and Linguist language GitHub reports for a filename.
struct FileKind: Equatable {
    /// `type` of the file entry, e.g. "text/markdown".
    var mimeType: String
    /// `language` of the file entry; `nil` when GitHub knows none (the key is then left out, since
    /// the published schema types it as a plain string).
    var language: String?

    init(filename: String) {
        let lower = filename.lowercased()
        let ext = lower.contains(".") ? String(lower.split(separator: ".").last ?? "") : ""
        switch ext {
        case "md", "markdown": self.init("text/markdown", "Markdown")
        case "json": self.init("application/json", "JSON")
        case "txt": self.init("text/plain", "Text")
        case "yaml", "yml": self.init("application/x-yaml", "YAML")
        case "swift": self.init("text/x-swift", "Swift")
        case "sh": self.init("application/x-sh", "Shell")
        case "py": self.init("application/x-python", "Python")
        case "go": self.init("text/x-go", "Go")
        case "rb": self.init("application/x-ruby", "Ruby")
        case "js": self.init("application/javascript", "JavaScript")
        case "toml": self.init("text/x-toml", "TOML")
        default: self.init("text/plain", nil)
        }
    }

    private init(_ mimeType: String, _ language: String?) {
        self.mimeType = mimeType
        self.language = language
    }
}
