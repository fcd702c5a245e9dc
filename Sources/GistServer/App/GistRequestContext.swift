public import Hummingbird
import NIOCore

/// The request context of the gist server: Hummingbird's core context plus who is calling.
public struct GistRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// IP address of the client; the unauthenticated rate limit is counted per address.
    public let clientAddress: String
    /// The token the request authenticated with, once `GitHubMiddleware` has checked it.
    public internal(set) var caller: AccessToken?
    /// The connection the request came on; a blackhole fault closes it without answering.
    let channel: any Channel
    /// Set by a stale-read fault: GET answers show this older view of the gist.
    var staleness: Staleness?
    /// The REST version the request asked for (or the default one), which picks the answer shapes.
    var apiVersion = GitHubAPIVersion.v2022_11_28
    /// The caller's rate-limit figures after this request was counted; `GET /rate_limit` shows them.
    var rate: RateLimiter.Snapshot?

    /// Creates the context for a request arriving on a channel.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
        self.caller = nil
        self.channel = source.channel
    }
}
