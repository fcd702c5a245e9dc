import Foundation
import HTTPTypes
import Logging
import Hummingbird
import NIOCore

/// The gists' repositories over git's smart HTTP, at `/{gist_id}.git`, served by `git http-backend`.
///
/// Anyone who knows a gist's id may clone it, as on GitHub. A push needs a token of the gist's owner
/// with the `gist` scope, sent as Basic auth: without one the answer is a 401 challenge, with another
/// user's token or one without the scope a 403. After a push the store reads the new commits, so REST
/// shows them.
struct GitController {
    typealias Context = GistRequestContext

    let store: any GistStore
    let repositories: GistRepositories
    let tokens: [String: AccessToken]
    let maxRequestBodySize: Int

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(":repository/info/refs") { request, context in
            // One value only: git http-backend reads the query itself, so a second `service` would let it
            // serve another service than the one whose access was checked here.
            let asked = request.uri.queryParameters.getAll("service")
            guard asked.count <= 1 else {
                return GitAnswer.text(.badRequest, "The query names `service` \(asked.count) times; give it once.")
            }
            guard let service = asked.first, Self.services.contains(service) else {
                return GitAnswer.text(.forbidden, "Smart HTTP is required: run a git client newer than 1.6.6")
            }
            return try await serve(request, context, service: service)
        }
        for service in Self.services {
            routes.post(":repository/\(service)") { request, context in
                try await serve(request, context, service: service)
            }
        }
        return routes
    }

    private static let services = ["git-upload-pack", "git-receive-pack"]

    private func serve(_ request: Request, _ context: Context, service: String) async throws -> Response {
        let repository = context.parameters.get("repository") ?? ""
        guard repository.hasSuffix(".git"), case let id = String(repository.dropLast(4)),
            let gist = try await store.gist(id: id), repositories.exists(id)
        else { return GitAnswer.text(.notFound, "Repository not found.") }
        let credential = Credential(request.headers[.authorization], tokens: tokens)
        var pusher: AccessToken?
        switch credential {
        case .invalid:
            return GitAnswer.authenticate(
                "Invalid username or token. Password authentication is not supported for Git operations.")
        case .anonymous where service == "git-receive-pack":
            return GitAnswer.authenticate("Authentication required to push to \(repository): give a token as the password.")
        case .token(let token) where service == "git-receive-pack":
            guard token.hasGistScope, token.login == gist.ownerLogin else {
                return GitAnswer.text(.forbidden, "Permission to \(repository) denied to \(token.login).")
            }
            pusher = token
        default:
            break
        }
        var request = request
        let body: [UInt8]
        do {
            body = Array(buffer: try await request.collectBody(upTo: maxRequestBodySize))
        } catch is NIOTooManyBytesError {
            return GitAnswer.text(
                .contentTooLarge, "The request is larger than this server's limit of \(maxRequestBodySize) bytes.")
        }
        // git http-backend is told only what was checked here: the service, and the path it was checked for.
        let isAdvertisement = request.method == .get
        var environment = [
            "GIT_PROJECT_ROOT": repositories.directory.path, "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": "/\(repository)/" + (isAdvertisement ? "info/refs" : service),
            "REQUEST_METHOD": request.method.rawValue,
            "QUERY_STRING": isAdvertisement ? "service=\(service)" : "", "CONTENT_LENGTH": String(body.count),
            "REMOTE_ADDR": context.clientAddress, "REMOTE_USER": pusher?.login ?? "anonymous",
        ]
        environment.merge(Self.pushChecks) { $1 }
        if let type = request.headers[.contentType] { environment["CONTENT_TYPE"] = type }
        if let encoding = request.headers[.contentEncoding] { environment["HTTP_CONTENT_ENCODING"] = encoding }
        if let protocolHeader = request.headers[Self.gitProtocolField] { environment["GIT_PROTOCOL"] = protocolHeader }
        let output = try await GitProcess.output(["http-backend"], input: body, environment: environment)
        var response = try Self.response(fromCGI: output.stdout)
        if output.status != 0, response.status == .ok {
            context.logger.error(
                "git http-backend failed", metadata: ["stderr": "\(String(decoding: output.stderr, as: UTF8.self))"])
        }
        if let pusher, request.method == .post, response.status == .ok {
            try await store.importPushes(to: id, by: pusher.login)
        }
        response.headers[.cacheControl] = "no-cache, max-age=0, must-revalidate"
        return response
    }

    static let gitProtocolField = HTTPField.Name("Git-Protocol")!

    /// Settings handed to `git receive-pack` through the environment, so every repository gets them,
    /// old ones too: a push whose trees hold a name a gist cannot have (empty, with a slash, `.`, `..`,
    /// `.git`) is refused whole by git's own object checks before any ref moves.
    static let pushChecks: [String: String] = {
        let settings =
            [("receive.fsckObjects", "true")]
            + ["emptyName", "fullPathname", "hasDot", "hasDotdot", "hasDotgit"].map { ("receive.fsck.\($0)", "error") }
        var environment = ["GIT_CONFIG_COUNT": String(settings.count)]
        for (index, (key, value)) in settings.enumerated() {
            environment["GIT_CONFIG_KEY_\(index)"] = key
            environment["GIT_CONFIG_VALUE_\(index)"] = value
        }
        return environment
    }()

    /// A CGI answer (header lines, a blank line, the body) as an HTTP response.
    static func response(fromCGI output: [UInt8]) throws -> Response {
        var index = output.startIndex
        var status = HTTPResponse.Status.ok
        var headers = HTTPFields()
        while let newline = output[index...].firstIndex(of: 10) {
            var line = output[index..<newline]
            if line.last == 13 { line = line.dropLast() }
            index = newline + 1
            if line.isEmpty { break }
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { continue }
            let name = text[..<colon].trimmingCharacters(in: .whitespaces)
            let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "status" {
                status = HTTPResponse.Status(code: Int(value.prefix(3)) ?? 500)
            } else if let field = HTTPField.Name(name) {
                headers[field] = value
            }
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: output[index...])))
    }
}
