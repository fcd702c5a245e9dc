public import Foundation

/// What `GistClient` knows about GitHub's rate limits at one moment, for metrics and status output.
public struct RateLimitSnapshot: Sendable, Equatable {
    /// The `x-ratelimit-*` headers of the latest answer that carried them; `nil` before any.
    /// `latest?.remaining` and `latest?.reset` are the "last remaining" and "reset" gauges.
    public var latest: RateLimitStatus?
    /// Until when the client holds every request back after a rate-limit answer; `nil` when it may send.
    public var retryAt: Date?
    /// Rate-limit answers (403 or 429 with rate-limit signs) received since the client was created.
    public var limitedAnswers: Int
    /// Requests refused locally, without touching the network, because a rate-limit hold was in force.
    public var heldRequests: Int

    /// A snapshot value.
    public init(latest: RateLimitStatus? = nil, retryAt: Date? = nil, limitedAnswers: Int = 0, heldRequests: Int = 0) {
        self.latest = latest
        self.retryAt = retryAt
        self.limitedAnswers = limitedAnswers
        self.heldRequests = heldRequests
    }
}
