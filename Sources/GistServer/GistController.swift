import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore

/// The gist endpoints: create, get, update, delete, list commits, get a revision, and the raw
/// content that `raw_url` points to.
public struct GistController<Store: GistStore>: Sendable {
    let store: Store
    let inlineContentLimit: Int
    let maxRequestBodySize: Int
    let fallbackBaseURL: String

    /// Creates the controller over a store.
    public init(store: Store, configuration: GistServerConfiguration) {
        self.store = store
        self.inlineContentLimit = configuration.inlineContentLimit
        self.maxRequestBodySize = configuration.maxRequestBodySize
        self.fallbackBaseURL = "http://\(configuration.host):\(configuration.port)"
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
        let caller = try writer(context, docs: docs)
        let new = try GistRequestBodies.newGist(from: try await body(of: request))
        let gist = try await store.create(new, owner: caller.login)
        let representation = representation(for: request)
        var response = answer(representation.gist(gist), status: .created, request: request)
        response.headers[.location] = "\(representation.baseURL)/gists/\(gist.id)"
        return response
    }

    @Sendable func get(_ request: Request, context: GistRequestContext) async throws -> Response {
        var gist = try await existing(context, docs: GitHubAPIError.Docs.getGist)
        if let staleness = context.staleness { gist = gist.asOf(staleness) }
        return answer(representation(for: request).gist(gist), request: request)
    }

    @Sendable func update(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = GitHubAPIError.Docs.updateGist
        let caller = try writer(context, docs: docs)
        let gist = try await existing(context, docs: docs)
        guard gist.ownerLogin == caller.login else { throw GitHubAPIError.notFound(documentationURL: docs) }
        let edit = try GistRequestBodies.edit(from: try await body(of: request))
        guard let updated = try await store.update(id: gist.id, with: edit, by: caller.login) else {
            throw GitHubAPIError.notFound(documentationURL: docs)
        }
        return answer(representation(for: request).gist(updated), request: request)
    }

    @Sendable func delete(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = "https://docs.github.com/rest/gists/gists#delete-a-gist"
        let caller = try writer(context, docs: docs)
        let gist = try await existing(context, docs: docs)
        guard gist.ownerLogin == caller.login, try await store.delete(id: gist.id) else {
            throw GitHubAPIError.notFound(documentationURL: docs)
        }
        return Response(status: .noContent)
    }

    @Sendable func commits(_ request: Request, context: GistRequestContext) async throws -> Response {
        let gist = try await existing(context, docs: "https://docs.github.com/rest/gists/gists#list-gist-commits")
        let representation = representation(for: request)
        let all = representation.commits(of: gist)
        let page = Pagination(query: request.uri.queryParameters, total: all.count)
        var response = answer(Array(all[page.range]), request: request)
        if let link = page.linkHeader(base: "\(representation.baseURL)/gists/\(gist.id)/commits") {
            response.headers[HTTPField.Name("Link")!] = link
        }
        return response
    }

    @Sendable func revision(_ request: Request, context: GistRequestContext) async throws -> Response {
        let docs = "https://docs.github.com/rest/gists/gists#get-a-gist-revision"
        let sha = context.parameters.get("sha") ?? ""
        guard (7...40).contains(sha.count), sha.allSatisfy(\.isHexDigit) else {
            throw GitHubAPIError.validationFailed([.init(field: "sha", code: "invalid")], documentationURL: docs)
        }
        let gist = try await existing(context, docs: docs)
        guard let revision = gist.revision(matching: sha) else { throw GitHubAPIError.notFound(documentationURL: docs) }
        return answer(representation(for: request).gist(gist, at: revision), request: request)
    }

    @Sendable func raw(_ request: Request, context: GistRequestContext) async throws -> Response {
        let gist = try await existing(context, docs: GitHubAPIError.Docs.getGist)
        guard let revision = gist.revision(matching: context.parameters.get("version") ?? ""),
            let name = context.parameters.get("filename")?.removingPercentEncoding,
            let content = revision.files[name]
        else { throw GitHubAPIError.notFound() }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: content)))
    }

    /// The caller of a write: 401 without a token, 404 for a token without the gist scope (GitHub
    /// does not reveal that the gist exists).
    private func writer(_ context: GistRequestContext, docs: String) throws(GitHubAPIError) -> AccessToken {
        guard let caller = context.caller else { throw .requiresAuthentication(documentationURL: docs) }
        guard caller.hasGistScope else { throw .notFound(documentationURL: docs) }
        return caller
    }

    private func existing(_ context: GistRequestContext, docs: String) async throws -> Gist {
        guard let id = context.parameters.get("gist_id"), let gist = try await store.gist(id: id) else {
            throw GitHubAPIError.notFound(documentationURL: docs)
        }
        return gist
    }

    private func body(of request: Request) async throws -> Data {
        Data(try await request.body.collect(upTo: maxRequestBodySize).readableBytesView)
    }

    private func representation(for request: Request) -> GistRepresentation {
        let base = request.head.authority.map { "\(request.head.scheme ?? "http")://\($0)" } ?? fallbackBaseURL
        return GistRepresentation(baseURL: base, inlineContentLimit: inlineContentLimit)
    }

    /// A JSON answer with a weak ETag of its body, or 304 when If-None-Match names that ETag.
    private func answer(_ value: some Encodable, status: HTTPResponse.Status = .ok, request: Request) -> Response {
        let data = GitHubJSON.encode(value)
        let etag = "W/\"\(ContentDigest.sha1Hex(data))\""
        if request.method == .get, let condition = request.headers[.ifNoneMatch], Self.matches(condition, etag) {
            var headers = HTTPFields()
            headers[.eTag] = etag
            return Response(status: .notModified, headers: headers)
        }
        var response = GitHubJSON.response(status: status, data: data)
        response.headers[.eTag] = etag
        return response
    }

    /// Weak comparison, as RFC 9110 asks for If-None-Match.
    static func matches(_ condition: String, _ etag: String) -> Bool {
        let strip = { (tag: Substring) in tag.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "W/", with: "") }
        return condition.split(separator: ",").contains { candidate in
            let tag = strip(candidate)
            return tag == "*" || tag == strip(Substring(etag))
        }
    }
}
