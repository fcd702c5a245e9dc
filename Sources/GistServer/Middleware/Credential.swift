import Foundation

/// What the Authorization header of a request amounts to.
enum Credential: Sendable {
    /// No Authorization header.
    case anonymous
    /// A known token (`Bearer T`, `token T`, or Basic auth with the token as password or user name).
    case token(AccessToken)
    /// A header with an unknown token or an unknown scheme: GitHub answers 401.
    case invalid

    init(_ header: String?, tokens: [String: AccessToken]) {
        guard let header else {
            self = .anonymous
            return
        }
        let parts = header.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 2, parts[0].lowercased() == "basic" {
            self = Self.basic(parts[1], tokens: tokens)
            return
        }
        guard parts.count == 2, ["bearer", "token"].contains(parts[0].lowercased()), let token = tokens[parts[1]] else {
            self = .invalid
            return
        }
        self = .token(token)
    }

    /// Basic credentials as git sends them: GitHub takes the token as the password (any user name) or
    /// as the user name (with `x-oauth-basic` or no password).
    private static func basic(_ encoded: String, tokens: [String: AccessToken]) -> Credential {
        guard let data = Data(base64Encoded: encoded), let pair = String(data: data, encoding: .utf8),
            let colon = pair.firstIndex(of: ":")
        else { return .invalid }
        let user = String(pair[..<colon])
        let password = String(pair[pair.index(after: colon)...])
        if let token = tokens[password] { return .token(token) }
        if ["", "x-oauth-basic"].contains(password), let token = tokens[user] { return .token(token) }
        return .invalid
    }

    /// The name that stands for the caller in stats and faults: a token label, `anonymous` or `invalid`.
    var label: String {
        switch self {
        case .anonymous: "anonymous"
        case .token(let token): token.label
        case .invalid: "invalid"
        }
    }

    /// Whether a valid token was given.
    var isAuthenticated: Bool {
        if case .token = self { return true }
        return false
    }

    /// The numeric user id of the token's owner, as shown in `owner.id`.
    var userID: Int? {
        if case .token(let token) = self { return GistRepresentation.userID(token.login) }
        return nil
    }
}
