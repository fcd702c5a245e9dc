import Foundation

/// A token the server accepts, with the label that stands for it in stats and logs (the token
/// itself is never shown) and whether it carries the `gist` scope.
public struct AccessToken: Sendable, Equatable, CustomStringConvertible {
    /// The secret value sent as `Authorization: Bearer <value>`.
    public var value: String
    /// A name safe to print, e.g. `token-1`.
    public var label: String
    /// Whether the token may write gists; without it writes answer 404, as on GitHub.
    public var hasGistScope: Bool
    /// Login of the user the token belongs to.
    public var login: String

    /// Creates a token.
    public init(value: String, label: String, hasGistScope: Bool = true, login: String = AccessToken.defaultLogin) {
        self.value = value
        self.label = label
        self.hasGistScope = hasGistScope
        self.login = login
    }

    /// The login every token belongs to unless told otherwise.
    public static let defaultLogin = "gist-server-user"

    /// The label only: a token must never reach a log line through string interpolation.
    public var description: String { "AccessToken(\(label), gist scope: \(hasGistScope))" }

    /// Reads tokens from a file: one per line, blank lines and lines starting with `#` ignored,
    /// surrounding whitespace trimmed.
    /// - Throws: `GistServerError` when the file cannot be read or is not UTF-8.
    public static func values(fromFile path: String) throws(GistServerError) -> [String] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file"
            throw .unreadableTokenFile(path, reason: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableTokenFile(path, reason: "not UTF-8 text")
        }
        return text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}
