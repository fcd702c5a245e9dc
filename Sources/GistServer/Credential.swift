import Foundation

/// What the Authorization header of a request amounts to.
enum Credential: Sendable {
    /// No Authorization header.
    case anonymous
    /// A known token (`Bearer T` or `token T`).
    case token(AccessToken)
    /// A header with an unknown token or an unknown scheme: GitHub answers 401.
    case invalid

    init(_ header: String?, tokens: [String: AccessToken]) {
        guard let header else {
            self = .anonymous
            return
        }
        let parts = header.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, ["bearer", "token"].contains(parts[0].lowercased()), let token = tokens[parts[1]] else {
            self = .invalid
            return
        }
        self = .token(token)
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
