import Hummingbird
import Logging

/// What happens around the git smart-HTTP routes: the faults that reach the REST routes (blackhole,
/// latency before handling, an injected status, a delayed answer), and the tally by route and token.
/// GitHub does not count git traffic against the REST rate limits, so neither does this.
struct GitMiddleware: FaultingMiddleware {
    typealias Context = GistRequestContext

    let parts: FaultingParts

    func respond(
        _ request: Request, context: Context, credential: Credential, fault: Fault?,
        next: (Request, Context) async throws -> Response
    ) async -> (response: Response, route: String) {
        let route = Self.route(request.uri.path)
        if let status = fault?.status {
            return (GitAnswer.text(GitHubJSON.status(status), fault?.message ?? GitHubJSON.status(status).reasonPhrase), route)
        }
        do {
            return (try await next(request, context), route)
        } catch {
            context.logger.error("git request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return (GitAnswer.text(.internalServerError, "Internal Server Error"), route)
        }
    }

    /// `/{gist_id}.git/info/refs` and the like, as the tally names git routes.
    static func route(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].hasSuffix(".git") else { return "unmatched" }
        return "/{gist_id}.git/" + parts.dropFirst().joined(separator: "/")
    }
}
