import Hummingbird
import NIOCore

/// Plain-text answers of the git routes, as GitHub's git front end gives them.
enum GitAnswer {
    static func text(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }

    /// 401 with the Basic challenge that makes git ask its credential helper for the token.
    static func authenticate(_ message: String) -> Response {
        text(.unauthorized, message, headers: [.wwwAuthenticate: "Basic realm=\"GitHub\""])
    }
}
