import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import GistLock
@testable import GitSmartHTTP

/// Serves a bare repository over real HTTP at `/gist.git/`, answered by the real git through
/// `SubprocessGitTransport`, accepting only Basic auth with `token` as the password; `/moved.git/`
/// answers every request with a redirect to `/gist.git/`.
func withGitHTTPServer<T: Sendable>(
    _ repository: BareRepository, token: String, _ body: @Sendable (URL) async throws -> T
) async throws -> T {
    let git = SubprocessGitTransport(repository: repository.directory)
    let expected = "Basic " + Data("x-access-token:\(token)".utf8).base64EncodedString()
    let responder = CallbackResponder<BasicRequestContext> { request, _ in
        let path = request.uri.path
        if path.hasPrefix("/moved.git/") {
            return Response(status: .found, headers: [.location: "/gist.git/" + path.dropFirst("/moved.git/".count)])
        }
        guard path.hasPrefix("/gist.git/") else { return Response(status: .notFound) }
        guard request.headers[.authorization] == expected else {
            return Response(
                status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"GitHub\""],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "Invalid username or token.\n")))
        }
        var buffer = try await request.body.collect(upTo: 16 << 20)
        let query = request.uri.query.map { "?" + $0 } ?? ""
        let gitRequest = GitRequest(
            method: request.method == .post ? .post : .get, path: String(path.dropFirst("/gist.git/".count)) + query,
            contentType: request.headers[.contentType], accept: request.headers[.accept],
            body: buffer.readBytes(length: buffer.readableBytes) ?? []
        )
        let answer = try await git.send(gitRequest)
        var fields = HTTPFields()
        for (name, value) in answer.headers { fields[HTTPField.Name(name)!] = value }
        fields[.cacheControl] = "no-cache"
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }
    var logger = Logger(label: "git-http-server")
    logger.logLevel = .critical
    let app = Application(responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    return try await app.test(.live) { client in
        try await body(URL(string: "http://127.0.0.1:\(client.port!)")!)
    }
}
