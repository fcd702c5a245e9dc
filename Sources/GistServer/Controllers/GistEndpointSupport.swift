import Foundation
import HTTPTypes
import Hummingbird

/// What every gist-area controller shares: the store, the stars/comments/forks beside it, the
/// limits, and the helpers that turn a request into a caller, a gist, and an answer.
struct GistEndpointSupport<Store: GistStore>: Sendable {
    let store: Store
    let activity: GistActivity
    let inlineContentLimit: Int
    let maxRequestBodySize: Int
    let fallbackBaseURL: String

    init(store: Store, activity: GistActivity, configuration: GistServerConfiguration) {
        self.store = store
        self.activity = activity
        self.inlineContentLimit = configuration.inlineContentLimit
        self.maxRequestBodySize = configuration.maxRequestBodySize
        self.fallbackBaseURL = "http://\(configuration.host):\(configuration.port)"
    }

    /// The caller, for a route that needs one: 401 without a token.
    func caller(_ context: GistRequestContext, docs: String) throws(GitHubAPIError) -> AccessToken {
        guard let caller = context.caller else { throw .requiresAuthentication(documentationURL: docs) }
        return caller
    }

    /// The caller of a write: 401 without a token, 404 for a token without the gist scope (GitHub
    /// does not reveal that the gist exists).
    func writer(_ context: GistRequestContext, docs: String) throws(GitHubAPIError) -> AccessToken {
        let caller = try caller(context, docs: docs)
        guard caller.hasGistScope else { throw .notFound(documentationURL: docs) }
        return caller
    }

    /// The caller of a write to the gist the `gist_id` route parameter names, and that gist: as
    /// `writer`, then 404 when there is no such gist.
    func writerAndGist(_ context: GistRequestContext, docs: String) async throws -> (caller: AccessToken, gist: Gist) {
        let caller = try writer(context, docs: docs)
        return (caller, try await existing(context, docs: docs))
    }

    /// The gist named by the `gist_id` route parameter; 404 when there is none.
    func existing(_ context: GistRequestContext, docs: String) async throws -> Gist {
        guard let id = context.parameters.get("gist_id"), let gist = try await store.gist(id: id) else {
            throw GitHubAPIError.notFound(documentationURL: docs)
        }
        return gist
    }

    func body(of request: Request) async throws -> Data {
        Data(try await request.body.collect(upTo: maxRequestBodySize).readableBytesView)
    }

    /// Bodies built on the address the client used, in the shapes of the version it asked for.
    func representation(for request: Request, context: GistRequestContext) -> GistRepresentation {
        let base = request.head.authority.map { "\(request.head.scheme ?? "http")://\($0)" } ?? fallbackBaseURL
        var representation = GistRepresentation(baseURL: base, inlineContentLimit: inlineContentLimit)
        representation.apiVersion = context.apiVersion
        return representation
    }

    /// The comment count, forks and parent that a gist body shows.
    func extras(for gist: Gist) async throws -> GistRepresentation.Extras {
        var extras = GistRepresentation.Extras()
        extras.commentCount = await activity.comments(of: gist.id).count
        for fork in await activity.forks(of: gist.id) {
            // A deleted fork is no longer listed, as on GitHub.
            if let forked = try await store.gist(id: fork.forkID) { extras.forks.append((fork, forked)) }
        }
        if let parent = await activity.parent(of: gist.id) { extras.forkOf = try await store.gist(id: parent) }
        return extras
    }

    /// A JSON answer with a weak ETag of its body, or 304 when If-None-Match names that ETag.
    func answer(_ value: some Encodable, status: HTTPResponse.Status = .ok, request: Request) -> Response {
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

    /// One page of `items` with GitHub's `Link` header pointing at `path`'s other pages.
    func page<Item: Encodable>(_ items: [Item], request: Request, context: GistRequestContext, path: String) -> Response {
        page(total: items.count, request: request, context: context, path: path) { Array(items[$0]) }
    }

    /// A page of `total` items, building only the items on it.
    func page<Item: Encodable>(
        total: Int, request: Request, context: GistRequestContext, path: String, items: (Range<Int>) -> [Item]
    ) -> Response {
        let page = Pagination(query: request.uri.queryParameters, total: total)
        var response = answer(items(page.range), request: request)
        let base = representation(for: request, context: context).baseURL
        let others = (request.uri.query ?? "").split(separator: "&")
            .filter { !$0.hasPrefix("per_page=") && !$0.hasPrefix("page=") }.joined(separator: "&")
        if let link = page.linkHeader(base: "\(base)\(path)", otherQuery: others) {
            response.headers[HTTPField.Name("Link")!] = link
        }
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
