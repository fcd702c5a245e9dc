import Foundation
import Hummingbird

/// Starring: `PUT`, `DELETE` and `GET /gists/{gist_id}/star`, answered 204 (or 404 with `{}` for a gist
/// the caller has not starred), as GitHub answers them.
struct StarController<Store: GistStore>: Sendable {
    let support: GistEndpointSupport<Store>

    /// The routes, to be mounted at `/gists`.
    var endpoints: RouteCollection<GistRequestContext> {
        let routes = RouteCollection(context: GistRequestContext.self)
        routes.put(":gist_id/star", use: star)
        routes.delete(":gist_id/star", use: unstar)
        routes.get(":gist_id/star", use: isStarred)
        return routes
    }

    @Sendable func star(_ request: Request, context: GistRequestContext) async throws -> Response {
        try await mark(context, starred: true, docs: "https://docs.github.com/rest/gists/gists#star-a-gist")
    }

    @Sendable func unstar(_ request: Request, context: GistRequestContext) async throws -> Response {
        try await mark(context, starred: false, docs: "https://docs.github.com/rest/gists/gists#unstar-a-gist")
    }

    @Sendable func isStarred(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = "https://docs.github.com/rest/gists/gists#check-if-a-gist-is-starred"
        let caller = try support.caller(context, docs: docs)
        let gist = try await support.existing(context, docs: docs)
        guard await support.activity.isStarred(gist.id, by: caller.login) else {
            // GitHub's description gives this 404 an empty object, unlike its other 404s.
            return GitHubJSON.response(status: .notFound, data: Data("{}".utf8))
        }
        return Response(status: .noContent)
    }

    private func mark(_ context: GistRequestContext, starred: Bool, docs: String) async throws -> Response {
        let (caller, gist) = try await support.writerAndGist(context, docs: docs)
        if starred {
            await support.activity.star(gist.id, by: caller.login)
        } else {
            await support.activity.unstar(gist.id, by: caller.login)
        }
        return Response(status: .noContent)
    }
}
