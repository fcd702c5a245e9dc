public import Hummingbird
public import Logging
import NIOCore

/// Where a running server listens.
public struct GistServerAddress: Sendable, Equatable {
    /// Address it is bound to, e.g. `127.0.0.1`.
    public var host: String
    /// Port it actually listens on (the chosen one when 0 was asked).
    public var port: Int
    /// `http://host:port`, the value for a client's API URL.
    public var url: String { host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)" }
}

/// Builds the gist server application exactly as `gist-server` runs it: checks `configuration`,
/// opens the store it describes unless one is given, and serves it.
/// - Parameters:
///   - configuration: listening address, tokens, limits, time sources.
///   - store: where gists live; by default the `FileBackedGistStore` that `configuration` describes.
///   - logger: the server's logger.
///   - onListening: called once the socket is bound, with the real port.
/// - Throws: `GistServerError` for invalid settings or a state file that cannot be used.
public func buildApplication(
    configuration: GistServerConfiguration,
    store: (any GistStore)? = nil,
    logger: Logger = Logger(label: "gist-server"),
    onListening: @escaping @Sendable (GistServerAddress) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    try configuration.validate()
    let gists: any GistStore = if let store { store } else { try await FileBackedGistStore.open(configuration) }
    return buildApplication(validated: configuration, store: gists, logger: logger, onListening: onListening)
}

/// Builds the application on a configuration already checked with `validate()` and a store already
/// open, for a caller that needs both before the server starts (as `gist-server` does, to create a
/// gist once it listens).
/// - Parameters:
///   - configuration: settings that `GistServerConfiguration.validate()` accepted.
///   - store: where gists live.
///   - logger: the server's logger.
///   - onListening: called once the socket is bound, with the real port.
public func buildApplication(
    validated configuration: GistServerConfiguration,
    store: any GistStore,
    logger: Logger = Logger(label: "gist-server"),
    onListening: @escaping @Sendable (GistServerAddress) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = buildRouter(store: store, configuration: configuration)
    let host = configuration.host
    return Application(
        router: router,
        configuration: .init(address: .hostname(host, port: configuration.port), serverName: nil),
        onServerRunning: { channel in
            let bound = channel.localAddress
            await onListening(GistServerAddress(host: bound?.ipAddress ?? host, port: bound?.port ?? configuration.port))
        },
        logger: logger)
}

/// Builds the router: admin routes under `/_gist-server`, the git routes at `/{gist_id}.git` when the
/// store keeps repositories, then GitHub's routes (gists, stars, forks,
/// comments, users, rate limit) behind the middleware that gives them GitHub's checks, limits and headers.
public func buildRouter(store: some GistStore, configuration: GistServerConfiguration) -> Router<GistRequestContext> {
    let faults = FaultInjector()
    let stats = RequestStats()
    let router = Router(context: GistRequestContext.self)
    router.addRoutes(
        AdminController(
            faults: faults, stats: stats, store: store, servesAll: configuration.servesAdminRoutes
        ).endpoints, atPath: "/_gist-server")
    router.add(middleware: LogRequestsMiddleware(.debug))
    let tokens = Dictionary(configuration.tokens.map { ($0.value, $0) }, uniquingKeysWith: { first, _ in first })
    let parts = FaultingParts(
        tokens: tokens, faults: faults, stats: stats, clock: configuration.clock,
        maxRequestBodySize: configuration.maxRequestBodySize)
    if let repositories = store.repositories {
        let git = router.group()
            .add(
                middleware: GitMiddleware(parts: parts))
        git.addRoutes(
            GitController(
                store: store, repositories: repositories, tokens: tokens,
                maxRequestBodySize: configuration.maxRequestBodySize
            ).endpoints)
    }
    router.add(
        middleware: GitHubMiddleware(
            parts: parts, limiter: RateLimiter(policy: configuration.rateLimits, now: configuration.now),
            apiVersions: configuration.apiVersions, retiredAPIVersions: configuration.retiredAPIVersions,
            exceededStatus: configuration.rateLimits.exceededStatus))
    let support = GistEndpointSupport(
        store: store, activity: GistActivity(now: configuration.now), configuration: configuration)
    let lists = GistListController(support: support)
    router.addRoutes(lists.gistRoutes, atPath: "/gists")
    router.addRoutes(GistController(support: support).endpoints, atPath: "/gists")
    router.addRoutes(StarController(support: support).endpoints, atPath: "/gists")
    router.addRoutes(ForkController(support: support).endpoints, atPath: "/gists")
    router.addRoutes(CommentController(support: support).endpoints, atPath: "/gists")
    router.addRoutes(lists.userRoutes, atPath: "/users")
    router.addRoutes(UserController(support: support, tokenLogins: Set(configuration.tokens.map(\.login))).userRoutes)
    router.addRoutes(RateLimitController(now: configuration.now).endpoints)
    return router
}
