import Hummingbird

/// Identity: `GET /user` (the token's owner, as `private-user`) and `GET /users/{username}`
/// (`public-user`). A user exists when a token or a gist names it.
struct UserController<Store: GistStore>: Sendable {
    let support: GistEndpointSupport<Store>
    /// Logins of the configured tokens.
    let tokenLogins: Set<String>

    /// The route `/user`, to be mounted at the root.
    var userRoutes: RouteCollection<GistRequestContext> {
        let routes = RouteCollection(context: GistRequestContext.self)
        routes.get("user", use: authenticated)
        routes.get("users/:username", use: byName)
        return routes
    }

    @Sendable func authenticated(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = "https://docs.github.com/rest/users/users#get-the-authenticated-user"
        let caller = try support.caller(context, docs: docs)
        let owned = try await support.store.all().filter { $0.ownerLogin == caller.login }
        let body = support.representation(for: request, context: context).privateUser(
            caller.login, publicGists: owned.count { $0.isPublic }, privateGists: owned.count { !$0.isPublic })
        return support.answer(body, request: request)
    }

    @Sendable func byName(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = "https://docs.github.com/rest/users/users#get-a-user"
        let username = context.parameters.get("username") ?? ""
        let owned = try await support.store.all().filter { $0.ownerLogin == username }
        guard tokenLogins.contains(username) || !owned.isEmpty else { throw GitHubAPIError.notFound(documentationURL: docs) }
        let body = support.representation(for: request, context: context)
            .publicUser(username, publicGists: owned.count { $0.isPublic })
        return support.answer(body, request: request)
    }
}
