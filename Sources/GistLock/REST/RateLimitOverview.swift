public import Foundation

/// The body of `GET /rate_limit` (`rate-limit-overview`): each resource's budget. Only
/// `resources` is read, since 2026-03-10 no longer sends the top-level `rate`.
public struct RateLimitOverview: Decodable, Sendable, Equatable {
    /// One resource's figures (`rate-limit`).
    public struct Budget: Decodable, Sendable, Equatable {
        /// Requests allowed per window.
        public var limit: Int
        /// Requests used in the window.
        public var used: Int
        /// Requests left in the window.
        public var remaining: Int
        /// When the window resets.
        public var reset: Date

        private enum CodingKeys: String, CodingKey { case limit, used, remaining, reset }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            limit = try container.decode(Int.self, forKey: .limit)
            used = try container.decode(Int.self, forKey: .used)
            remaining = try container.decode(Int.self, forKey: .remaining)
            reset = Date(timeIntervalSince1970: try container.decode(TimeInterval.self, forKey: .reset))
        }
    }

    /// Budgets by resource name: `core` (REST, gists included), `search`, `graphql`, ...
    public var resources: [String: Budget]

    /// The REST budget, the one gist requests spend.
    public var core: Budget? { resources["core"] }

    struct NotOK: Error {}
}
