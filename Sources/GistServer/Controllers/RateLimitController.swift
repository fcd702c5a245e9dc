import Foundation
import Hummingbird

/// `GET /rate_limit`: the caller's budget in every resource, which GitHub does not charge for.
/// `GitHubMiddleware` leaves this path uncounted and hands over the figures it holds.
struct RateLimitController: Sendable {
    /// GitHub's search limit for a token, per minute; no search endpoint exists here, so it is never spent.
    let searchLimit = 30
    let now: @Sendable () -> Date

    /// The route, to be mounted at the root.
    var endpoints: RouteCollection<GistRequestContext> {
        let routes = RouteCollection(context: GistRequestContext.self)
        routes.get("rate_limit", use: rateLimit)
        return routes
    }

    @Sendable func rateLimit(_ request: Request, context: GistRequestContext) async throws -> Response {
        guard let core = context.rate else { throw GitHubAPIError(.internalServerError, message: "Server Error") }
        let minute = Int(now().timeIntervalSince1970.rounded(.down)) / 60 * 60 + 60
        let search = RateBody(limit: searchLimit, used: 0, remaining: searchLimit, reset: minute)
        let coreBody = RateBody(limit: core.limit, used: core.used, remaining: core.remaining, reset: core.reset)
        // 2026-03-10 dropped the top-level `rate`, a copy of `resources.core` deprecated since 2021.
        let rate = GitHubAPIVersion.dropsDeprecatedFields(context.apiVersion) ? nil : coreBody
        let body = RateLimitBody(resources: ["core": coreBody, "search": search], rate: rate)
        return GitHubJSON.response(status: .ok, body: body)
    }
}

/// `rate-limit-overview`.
struct RateLimitBody: Encodable {
    let resources: [String: RateBody]
    let rate: RateBody?
}

/// `rate-limit`.
struct RateBody: Encodable {
    let limit, used, remaining, reset: Int
}
