public import Foundation

/// A failed exchange with GitHub's REST API, classified so callers can tell "fix your setup" from "retry later".
///
/// `description` states the problem and the fix in one line and never contains the token.
public struct GitHubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, for log lines and metrics labels; codes are equal when their names are.
        private let name: String
        public var description: String { name }

        /// 401: the token is wrong, expired or revoked.
        public static let unauthorized = Code(name: "unauthorized")
        /// 404 for the gist: wrong id, or a token without the gist scope (GitHub hides gists it will not show).
        public static let gistNotFound = Code(name: "gist not found")
        /// 403 without any sign of a rate limit: the token may not do this.
        public static let forbidden = Code(name: "forbidden")
        /// 403 or 429 with rate-limit headers or `retry-after`: wait until `retryAt`.
        public static let rateLimited = Code(name: "rate limited")
        /// 5xx: GitHub failed; retrying later is the cure.
        public static let serverError = Code(name: "server error")
        /// Another 4xx (400, 409, 422...): GitHub refused this particular request.
        public static let requestRejected = Code(name: "request rejected")
        /// An answer that is not GitHub's JSON: an HTML page, a redirect, the wrong shape.
        public static let unexpectedResponse = Code(name: "unexpected response")
        /// No answer at all: host unreachable, connection refused, timeout.
        public static let transport = Code(name: "transport")
    }

    /// Which failure this is.
    public let code: Code
    /// What went wrong and how to fix it, in one line.
    public let message: String
    /// The HTTP status GitHub answered with; `nil` when no answer arrived.
    public let status: Int?
    /// For `rateLimited`: the wall time before which no request is sent.
    public let retryAt: Date?
    /// The `Retry-After` seconds GitHub asked for when they exceeded an hour and were capped.
    public let cappedRetryAfter: Int?

    init(code: Code, message: String, status: Int?, retryAt: Date? = nil, cappedRetryAfter: Int? = nil) {
        self.cappedRetryAfter = cappedRetryAfter
        self.code = code
        self.message = message
        self.status = status
        self.retryAt = retryAt
    }

    /// True when retrying cannot help until someone changes the setup (token, gist id, scope):
    /// the app exits at start on these.
    public var isPermanent: Bool {
        code == .unauthorized || code == .gistNotFound || code == .forbidden
    }

    /// True when the same request may succeed later (5xx, rate limit, network, odd answers).
    public var isTransient: Bool { !isPermanent }

    /// The message: the problem and its fix.
    public var description: String { message }
}
