import HTTPTypes
import Hummingbird

/// Forks: `POST /gists/{gist_id}/forks` copies the gist's newest files into a new gist of the
/// caller's, and `GET` lists the forks made so far.
struct ForkController<Store: GistStore>: Sendable {
    let support: GistEndpointSupport<Store>

    /// The routes, to be mounted at `/gists`.
    var endpoints: RouteCollection<GistRequestContext> {
        let routes = RouteCollection(context: GistRequestContext.self)
        routes.post(":gist_id/forks", use: fork)
        routes.get(":gist_id/forks", use: list)
        return routes
    }

    @Sendable func fork(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = "https://docs.github.com/rest/gists/gists#fork-a-gist"
        let (caller, parent) = try await support.writerAndGist(context, docs: docs)
        let copy = NewGist(description: parent.description, isPublic: parent.isPublic, files: parent.files)
        let fork = try await support.store.create(copy, owner: caller.login)
        await support.activity.recordFork(
            of: parent.id, as: .init(forkID: fork.id, ownerLogin: caller.login, createdAt: fork.createdAt))
        let representation = support.representation(for: request, context: context)
        var response = support.answer(representation.baseGist(fork), status: .created, request: request)
        response.headers[.location] = "\(representation.baseURL)/gists/\(fork.id)"
        return response
    }

    @Sendable func list(_ request: Request, context: GistRequestContext) async throws -> Response {
        let gist = try await support.existing(context, docs: "https://docs.github.com/rest/gists/gists#list-gist-forks")
        let representation = support.representation(for: request, context: context)
        var bodies: [GistBody] = []
        for fork in await support.activity.forks(of: gist.id) {
            guard let forked = try await support.store.gist(id: fork.forkID) else { continue }
            bodies.append(representation.gist(forked, extras: try await support.extras(for: forked)))
        }
        return support.page(bodies, request: request, context: context, path: "/gists/\(gist.id)/forks")
    }
}
