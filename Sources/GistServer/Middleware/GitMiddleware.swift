import Hummingbird
import Logging

/// What happens around the git smart-HTTP routes: the faults that reach the REST routes (blackhole,
/// latency before handling, an injected status, a delayed answer), and the tally by route and token.
/// GitHub does not count git traffic against the REST rate limits, so neither does this.
struct GitMiddleware: RouterMiddleware, FaultingMiddleware {
    typealias Context = GistRequestContext

    let tokens: [String: AccessToken]
    let faults: FaultInjector
    let stats: RequestStats
    let clock: any Clock<Duration>
    let maxRequestBodySize: Int

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let credential = Credential(request.headers[.authorization], tokens: tokens)
        let route = Self.route(request.uri.path)
        let (fault, blackholed) = await takeFault(request, credential: credential, context: context)
        if let blackholed { return blackholed }
        var request = request
        await delayBeforeHandling(&request, fault: fault)
        let response: Response
        if let status = fault?.status {
            response = GitAnswer.text(GitHubJSON.status(status), fault?.message ?? GitHubJSON.status(status).reasonPhrase)
        } else {
            do {
                response = try await next(request, context)
            } catch {
                context.logger.error("git request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
                response = GitAnswer.text(.internalServerError, "Internal Server Error")
            }
        }
        return await tallied(response, request, route: route, credential: credential, fault: fault)
    }

    /// `/{gist_id}.git/info/refs` and the like, as the tally names git routes.
    static func route(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].hasSuffix(".git") else { return "unmatched" }
        return "/{gist_id}.git/" + parts.dropFirst().joined(separator: "/")
    }
}
