/// GitHub's REST rate limits, adjustable so tests and demos can reach them quickly.
public struct RateLimitPolicy: Sendable, Equatable {
    /// Requests per window for each token (GitHub: 5000 per hour).
    public var authenticatedLimit: Int = 5000
    /// Requests per window for each client address without a token (GitHub: 60 per hour).
    public var unauthenticatedLimit: Int = 60
    /// Length of the primary window in seconds (GitHub: one hour).
    public var windowSeconds: Int = 3600
    /// Content-creating requests (POST, PATCH, DELETE) per minute per caller (GitHub: about 80).
    public var contentCreationPerMinute: Int = 80
    /// Content-creating requests per hour per caller (GitHub: about 500).
    public var contentCreationPerHour: Int = 500
    /// Status of a primary-limit answer: 403 (GitHub's usual) or 429.
    public var exceededStatus: Int = 403

    /// GitHub's limits.
    public init() {}

    /// Checks that every limit is positive and the status is 403 or 429.
    public func validate() throws(GistServerError) {
        let values = [authenticatedLimit, unauthenticatedLimit, windowSeconds, contentCreationPerMinute, contentCreationPerHour]
        guard values.allSatisfy({ $0 > 0 }) else {
            throw .invalidConfiguration("rate limits and the window must be positive numbers")
        }
        guard exceededStatus == 403 || exceededStatus == 429 else {
            throw .invalidConfiguration("rate-limit status \(exceededStatus) is not one GitHub uses; use 403 or 429")
        }
    }
}
