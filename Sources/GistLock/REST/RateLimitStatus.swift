public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// GitHub's `x-ratelimit-*` headers from the latest answer that carried them, for metrics and status output.
public struct RateLimitStatus: Sendable, Equatable {
    /// Requests allowed per window (`x-ratelimit-limit`, 5000 an hour for a user token).
    public var limit: Int?
    /// Requests left in the window (`x-ratelimit-remaining`).
    public var remaining: Int?
    /// Requests used in the window (`x-ratelimit-used`).
    public var used: Int?
    /// When the window resets (`x-ratelimit-reset`, UTC epoch seconds).
    public var reset: Date?
    /// Which limit the answer counted against (`x-ratelimit-resource`, "core" for gists).
    public var resource: String?

    /// A status value; every field is optional because GitHub may send any subset of the headers.
    public init(limit: Int? = nil, remaining: Int? = nil, used: Int? = nil, reset: Date? = nil, resource: String? = nil) {
        self.limit = limit
        self.remaining = remaining
        self.used = used
        self.reset = reset
        self.resource = resource
    }

    /// Reads the headers of `response`; `nil` when it carries none of them.
    init?(_ response: HTTPURLResponse) {
        func header(_ name: String) -> String? { response.value(forHTTPHeaderField: name) }
        limit = header("x-ratelimit-limit").flatMap { Int($0) }
        remaining = header("x-ratelimit-remaining").flatMap { Int($0) }
        used = header("x-ratelimit-used").flatMap { Int($0) }
        reset = header("x-ratelimit-reset").flatMap { TimeInterval($0) }.map { Date(timeIntervalSince1970: $0) }
        resource = header("x-ratelimit-resource")
        if limit == nil && remaining == nil && used == nil && reset == nil && resource == nil { return nil }
    }
}
