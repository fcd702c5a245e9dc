import Foundation
import HTTPTypes
import Hummingbird

/// Gist comments: list, create, get, update and delete under `/gists/{gist_id}/comments`. Only the
/// author may edit a comment; the author or the gist's owner may delete it.
struct CommentController<Store: GistStore>: Sendable {
    let support: GistEndpointSupport<Store>

    /// The routes, to be mounted at `/gists`.
    var endpoints: RouteCollection<GistRequestContext> {
        let routes = RouteCollection(context: GistRequestContext.self)
        routes.get(":gist_id/comments", use: list)
        routes.post(":gist_id/comments", use: create)
        routes.get(":gist_id/comments/:comment_id", use: get)
        routes.patch(":gist_id/comments/:comment_id", use: update)
        routes.delete(":gist_id/comments/:comment_id", use: delete)
        return routes
    }

    @Sendable func list(_ request: Request, context: GistRequestContext) async throws -> Response {
        let gist = try await support.existing(context, docs: Docs.list)
        let representation = support.representation(for: request, context: context)
        let bodies = await support.activity.comments(of: gist.id).map { representation.comment($0, gist: gist) }
        return support.page(bodies, request: request, context: context, path: "/gists/\(gist.id)/comments")
    }

    @Sendable func create(_ request: Request, context: GistRequestContext) async throws -> Response {
        let (caller, gist) = try await support.writerAndGist(context, docs: Docs.create)
        let text = try Self.commentBody(try await support.body(of: request), docs: Docs.create)
        let comment = await support.activity.addComment(to: gist.id, by: caller.login, body: text)
        let representation = support.representation(for: request, context: context)
        let body = representation.comment(comment, gist: gist)
        var response = support.answer(body, status: .created, request: request)
        response.headers[.location] = body.url
        return response
    }

    @Sendable func get(_ request: Request, context: GistRequestContext) async throws -> Response {
        let (gist, comment) = try await existingComment(context, docs: Docs.get)
        return support.answer(
            support.representation(for: request, context: context).comment(comment, gist: gist), request: request)
    }

    @Sendable func update(_ request: Request, context: GistRequestContext) async throws -> Response {
        let caller = try support.writer(context, docs: Docs.update)
        let (gist, comment) = try await existingComment(context, docs: Docs.update)
        guard comment.authorLogin == caller.login else { throw GitHubAPIError.notFound(documentationURL: Docs.update) }
        let text = try Self.commentBody(try await support.body(of: request), docs: Docs.update)
        guard let edited = await support.activity.editComment(comment.id, of: gist.id, body: text) else {
            throw GitHubAPIError.notFound(documentationURL: Docs.update)
        }
        return support.answer(
            support.representation(for: request, context: context).comment(edited, gist: gist), request: request)
    }

    @Sendable func delete(_ request: Request, context: GistRequestContext) async throws -> Response {
        let caller = try support.writer(context, docs: Docs.delete)
        let (gist, comment) = try await existingComment(context, docs: Docs.delete)
        guard comment.authorLogin == caller.login || gist.ownerLogin == caller.login else {
            throw GitHubAPIError.notFound(documentationURL: Docs.delete)
        }
        await support.activity.deleteComment(comment.id, of: gist.id)
        return Response(status: .noContent)
    }

    private func existingComment(
        _ context: GistRequestContext, docs: String
    ) async throws -> (Gist, GistActivity.Comment) {
        let gist = try await support.existing(context, docs: docs)
        guard let id = context.parameters.get("comment_id", as: Int.self),
            let comment = await support.activity.comment(id, of: gist.id)
        else { throw GitHubAPIError.notFound(documentationURL: docs) }
        return (gist, comment)
    }

    /// GitHub's limit on a comment's length, in characters.
    static var maxLength: Int { 65_535 }

    /// The `body` of a create or update request: 422 when it is missing, empty, not text or too long.
    static func commentBody(_ data: Data, docs: String) throws(GitHubAPIError) -> String {
        guard case .object(let fields) = try GistRequestBodies.parse(data, docs: docs) else {
            throw .invalidRequest("Invalid input: object is expected.", documentationURL: docs)
        }
        guard let value = fields["body"] else {
            throw .invalidRequest("\"body\" wasn't supplied.", documentationURL: docs)
        }
        guard case .string(let text) = value else {
            throw .invalidRequest("For 'properties/body', \(value.quoted) is not a string.", documentationURL: docs)
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .validationFailed(
                [.init(resource: "GistComment", field: "body", code: "missing_field")], documentationURL: docs)
        }
        guard text.count <= maxLength else {
            throw .validationFailed(
                [
                    .init(
                        resource: "GistComment", field: "body", code: "invalid",
                        message: "body is too long (maximum is \(maxLength) characters)")
                ],
                documentationURL: docs)
        }
        return text
    }
}

private enum Docs {
    static let list = "https://docs.github.com/rest/gists/comments#list-gist-comments"
    static let create = "https://docs.github.com/rest/gists/comments#create-a-gist-comment"
    static let get = "https://docs.github.com/rest/gists/comments#get-a-gist-comment"
    static let update = "https://docs.github.com/rest/gists/comments#update-a-gist-comment"
    static let delete = "https://docs.github.com/rest/gists/comments#delete-a-gist-comment"
}

extension GistRepresentation {
    /// `gist-comment`.
    func comment(_ comment: GistActivity.Comment, gist: Gist) -> CommentBody {
        CommentBody(
            id: comment.id, node_id: "GC_kwDO" + String(ContentDigest.sha1Hex("\(comment.id)").prefix(10)),
            url: "\(baseURL)/gists/\(gist.id)/comments/\(comment.id)", body: comment.body,
            user: user(comment.authorLogin), created_at: comment.createdAt, updated_at: comment.updatedAt,
            author_association: comment.authorLogin == gist.ownerLogin ? "OWNER" : "NONE")
    }
}

/// `gist-comment`.
struct CommentBody: Encodable {
    let id: Int
    let node_id, url, body: String
    let user: UserBody
    let created_at, updated_at: Date
    let author_association: String
}
