/// GitHub's published REST API limits for one token, which a `GistRequestBudget` is compared against.
///
/// Source: GitHub's "Rate limits for the REST API": a user token may make 5,000 requests an hour
/// (primary limit); content-creating requests are further held to about 80 a minute and 500 an hour
/// (secondary limit); a 304 answer to a conditional request does not count against the primary limit.
public struct GitHubLimits: Sendable, Equatable {
    /// Requests an hour counted against the primary limit (every answer except a 304).
    public var primaryPerHour: Int
    /// Content-creating requests (POST, PATCH, PUT, DELETE) a minute.
    public var contentCreationPerMinute: Int
    /// Content-creating requests an hour.
    public var contentCreationPerHour: Int

    /// Limits with GitHub's figures unless told otherwise (a local gist server may be set lower).
    public init(primaryPerHour: Int = 5000, contentCreationPerMinute: Int = 80, contentCreationPerHour: Int = 500) {
        self.primaryPerHour = primaryPerHour
        self.contentCreationPerMinute = contentCreationPerMinute
        self.contentCreationPerHour = contentCreationPerHour
    }

    /// GitHub's limits for a personal access token: 5,000 an hour; 80 a minute and 500 an hour for writes.
    public static let github = GitHubLimits()
}
