import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore

/// The gist endpoints: create, get, update, delete, list commits, get a revision, and the raw
/// content that `raw_url` points to.
public struct GistController<Store: GistStore>: Sendable {
    let support: GistEndpointSupport<Store>
    private var store: Store { support.store }

    /// Creates the controller over a store, with no stars, comments or forks yet.
    public init(store: Store, configuration: GistServerConfiguration) {
        self.init(
            support: GistEndpointSupport(
                store: store, activity: GistActivity(now: configuration.now), configuration: configuration))
    }

    init(support: GistEndpointSupport<Store>) {
        self.support = support
    }

    /// The routes, to be mounted at `/gists`.
    public var endpoints: RouteCollection<GistRequestContext> {
        let routes = RouteCollection(context: GistRequestContext.self)
        routes.post(use: create)
        routes.get(":gist_id", use: get)
        routes.patch(":gist_id", use: update)
        routes.delete(":gist_id", use: delete)
        routes.get(":gist_id/commits", use: commits)
        routes.get(":gist_id/:sha", use: revision)
        routes.get(":gist_id/raw/:version/:filename", use: raw)
        return routes
    }

    @Sendable func create(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = GitHubAPIError.Docs.createGist
        let caller = try support.writer(context, docs: docs)
        let new = try GistRequestBodies.newGist(from: try await support.body(of: request))
        let gist = try await store.create(new, owner: caller.login)
        let representation = support.representation(for: request, context: context)
        var response = support.answer(representation.gist(gist), status: .created, request: request)
        response.headers[.location] = "\(representation.baseURL)/gists/\(gist.id)"
        return response
    }

    @Sendable func get(_ request: Request, context: GistRequestContext) async throws -> Response {
        var gist = try await support.existing(context, docs: GitHubAPIError.Docs.getGist)
        if let staleness = context.staleness { gist = gist.asOf(staleness) }
        let extras = try await support.extras(for: gist)
        return support.answer(support.representation(for: request, context: context).gist(gist, extras: extras), request: request)
    }

    @Sendable func update(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = GitHubAPIError.Docs.updateGist
        let (caller, gist) = try await support.writerAndGist(context, docs: docs)
        guard gist.ownerLogin == caller.login else { throw GitHubAPIError.notFound(documentationURL: docs) }
        let edit = try GistRequestBodies.edit(from: try await support.body(of: request))
        guard let updated = try await store.update(id: gist.id, with: edit, by: caller.login) else {
            throw GitHubAPIError.notFound(documentationURL: docs)
        }
        let extras = try await support.extras(for: updated)
        return support.answer(
            support.representation(for: request, context: context).gist(updated, extras: extras), request: request)
    }

    @Sendable func delete(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = "https://docs.github.com/rest/gists/gists#delete-a-gist"
        let (caller, gist) = try await support.writerAndGist(context, docs: docs)
        guard gist.ownerLogin == caller.login, try await store.delete(id: gist.id) else {
            throw GitHubAPIError.notFound(documentationURL: docs)
        }
        await support.activity.forget(gist.id)
        return Response(status: .noContent)
    }

    @Sendable func commits(_ request: Request, context: GistRequestContext) async throws -> Response {
        let gist = try await support.existing(context, docs: "https://docs.github.com/rest/gists/gists#list-gist-commits")
        let representation = support.representation(for: request, context: context)
        return support.page(total: gist.revisions.count, request: request, context: context, path: "/gists/\(gist.id)/commits") {
            representation.commits(of: gist, in: $0)
        }
    }

    @Sendable func revision(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = "https://docs.github.com/rest/gists/gists#get-a-gist-revision"
        let sha = context.parameters.get("sha") ?? ""
        guard (7...40).contains(sha.count), sha.allSatisfy(\.isHexDigit) else {
            throw GitHubAPIError.validationFailed([.init(field: "sha", code: "invalid")], documentationURL: docs)
        }
        let gist = try await support.existing(context, docs: docs)
        guard let revision = gist.revision(matching: sha) else { throw GitHubAPIError.notFound(documentationURL: docs) }
        let extras = try await support.extras(for: gist)
        let body = support.representation(for: request, context: context).gist(gist, at: revision, extras: extras)
        return support.answer(body, request: request)
    }

    @Sendable func raw(_ request: Request, context: GistRequestContext) async throws -> Response {
        let gist = try await support.existing(context, docs: GitHubAPIError.Docs.getGist)
        guard let revision = gist.revision(matching: context.parameters.get("version") ?? ""),
            let name = context.parameters.get("filename")?.removingPercentEncoding,
            let content = revision.files[name]
        else { throw GitHubAPIError.notFound() }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: content)))
    }
}
