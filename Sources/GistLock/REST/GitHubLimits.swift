/// GitHub's published limits for one user, which a `GistRequestBudget` is compared against.
///
/// Sources: GitHub's "Rate limits for the REST API": a user may make 5,000 requests an hour, all of its
/// tokens together (primary limit); content-creating requests are further held to about 80 a minute
/// and 500 an hour (secondary limit); a 304 answer to a conditional request does not count against the
/// primary limit. GitHub's "Repository limits": at most 6 pushes a minute and 15 git reads a second to
/// one repository are recommended (every gist is a repository); beyond them GitHub throttles.
public struct GitHubLimits: Sendable, Equatable {
    /// Requests an hour counted against the primary limit (every answer except a 304).
    public var primaryPerHour: Int
    /// Content-creating requests (POST, PATCH, PUT, DELETE) a minute.
    public var contentCreationPerMinute: Int
    /// Content-creating requests an hour.
    public var contentCreationPerHour: Int
    /// Pushes a minute to one repository.
    public var pushesPerMinutePerRepository: Int
    /// Git reads a second from one repository.
    public var gitReadsPerSecondPerRepository: Int

    /// Limits with GitHub's figures unless told otherwise (a local gist server may be set lower).
    public init(
        primaryPerHour: Int = 5000, contentCreationPerMinute: Int = 80, contentCreationPerHour: Int = 500,
        pushesPerMinutePerRepository: Int = 6, gitReadsPerSecondPerRepository: Int = 15
    ) {
        self.primaryPerHour = primaryPerHour
        self.contentCreationPerMinute = contentCreationPerMinute
        self.contentCreationPerHour = contentCreationPerHour
        self.pushesPerMinutePerRepository = pushesPerMinutePerRepository
        self.gitReadsPerSecondPerRepository = gitReadsPerSecondPerRepository
    }

    /// GitHub's limits for one user: 5,000 an hour; 80 a minute and 500 an hour for writes; 6 pushes
    /// a minute and 15 git reads a second per gist.
    public static let github = GitHubLimits()

    /// The share of every limit the defaults stay within, leaving room for retries and bursts.
    public static let safeShare = 0.75
}
