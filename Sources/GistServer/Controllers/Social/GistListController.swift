import Foundation
import Hummingbird

/// The gist lists: the caller's (`GET /gists`), the public ones, the starred ones, and a user's
/// (`GET /users/{username}/gists`). Each is newest-updated first, filtered by `since`, and paged
/// with `per_page`/`page` and a `Link` header.
struct GistListController<Store: GistStore>: Sendable {
    let support: GistEndpointSupport<Store>

    /// The routes under `/gists`.
    var gistRoutes: RouteCollection<GistRequestContext> {
        let routes = RouteCollection(context: GistRequestContext.self)
        routes.get(use: mine)
        routes.get("public", use: publicGists)
        routes.get("starred", use: starred)
        return routes
    }

    /// The route under `/users`.
    var userRoutes: RouteCollection<GistRequestContext> {
        let routes = RouteCollection(context: GistRequestContext.self)
        routes.get(":username/gists", use: userGists)
        return routes
    }

    /// Without a token GitHub lists every public gist here.
    @Sendable func mine(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = "https://docs.github.com/rest/gists/gists#list-gists-for-the-authenticated-user"
        let login = context.caller?.login
        return try await list(request, context: context, docs: docs, path: "/gists") { gist in
            login.map { gist.ownerLogin == $0 } ?? gist.isPublic
        }
    }

    @Sendable func publicGists(_ request: Request, context: GistRequestContext) async throws -> Response {
        try await list(
            request, context: context, docs: "https://docs.github.com/rest/gists/gists#list-public-gists",
            path: "/gists/public"
        ) { $0.isPublic }
    }

    @Sendable func starred(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = "https://docs.github.com/rest/gists/gists#list-starred-gists"
        let caller = try support.caller(context, docs: docs)
        let ids = await support.activity.starred(by: caller.login)
        return try await list(request, context: context, docs: docs, path: "/gists/starred") { ids.contains($0.id) }
    }

    /// A user's public gists; their owner sees the secret ones too.
    @Sendable func userGists(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = "https://docs.github.com/rest/gists/gists#list-gists-for-a-user"
        let username = context.parameters.get("username") ?? ""
        let isOwner = context.caller?.login == username
        return try await list(request, context: context, docs: docs, path: "/users/\(username)/gists") { gist in
            gist.ownerLogin == username && (gist.isPublic || isOwner)
        }
    }

    private func list(
        _ request: Request, context: GistRequestContext, docs: String, path: String,
        where include: (Gist) -> Bool
    ) async throws -> Response {
        let since = try Self.since(request.uri.queryParameters.get("since"), docs: docs)
        let gists = try await support.store.all()
            .filter { include($0) && since.map($0.updatedAt.isAfterOrAt) ?? true }
            .sorted { ($0.updatedAt, $0.id) > ($1.updatedAt, $1.id) }
        let representation = support.representation(for: request, context: context)
        var bodies: [GistBody] = []
        for gist in gists {
            bodies.append(representation.baseGist(gist, extras: try await support.extras(for: gist)))
        }
        return support.page(bodies, request: request, context: context, path: path)
    }

    /// `since` as GitHub takes it, an ISO 8601 timestamp `YYYY-MM-DDTHH:MM:SSZ`; 422 otherwise.
    static func since(_ text: String?, docs: String) throws(GitHubAPIError) -> Date? {
        guard let text else { return nil }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        throw .validationFailed(
            [
                .init(
                    field: "since", code: "invalid",
                    message: "\(text) is not an ISO 8601 timestamp; give it as YYYY-MM-DDTHH:MM:SSZ")
            ],
            documentationURL: docs)
    }
}

extension Date {
    fileprivate func isAfterOrAt(_ other: Date) -> Bool { self >= other }
}
