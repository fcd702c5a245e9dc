import TextEscaping
/// One smart-HTTP request to a git repository's URL: a GET of `info/refs` or a POST to a service.
public struct GitRequest: Sendable, Equatable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public let method: Method
    /// The path below the repository URL with its query: `info/refs?service=git-receive-pack`,
    /// `git-upload-pack`, `git-receive-pack`.
    public let path: String
    /// The `Content-Type` of a POST (`application/x-git-receive-pack-request`).
    public let contentType: String?
    /// The `Accept` header: the result type the service answers with.
    public let accept: String?
    public let body: [UInt8]

    public init(method: Method, path: String, contentType: String? = nil, accept: String? = nil, body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.contentType = contentType
        self.accept = accept
        self.body = body
    }

    /// `GET info/refs?service=<service>`.
    static func advertisement(_ service: String) -> GitRequest {
        GitRequest(method: .get, path: "info/refs?service=\(service)", accept: "application/x-\(service)-advertisement")
    }

    /// `POST <service>` with `body`.
    static func rpc(_ service: String, body: [UInt8]) -> GitRequest {
        GitRequest(
            method: .post, path: service, contentType: "application/x-\(service)-request",
            accept: "application/x-\(service)-result", body: body
        )
    }
}

/// A smart-HTTP answer: status, headers (names lowercased) and body.
public struct GitResponse: Sendable, Equatable {
    public let status: Int
    public let headers: [String: String]
    public let body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.body = body
    }
}

/// Sends smart-HTTP requests to one repository. Throws only when no answer came.
public protocol GitTransport: Sendable {
    func send(_ request: GitRequest) async throws -> GitResponse
    /// `text` (quoting the server) without the credentials this transport sends, in any form.
    func redact(_ text: String) -> String
}

extension GitTransport {
    /// A transport that sends no credentials has none to redact.
    public func redact(_ text: String) -> String { text }

    /// The answer to `request`, which must be a 200 of the content type git's service sends; a refusal
    /// ends in `advice`.
    func exchange(_ request: GitRequest, advice: GitAdvice) async throws -> [UInt8] {
        let response = try await send(request)
        guard response.status == 200 else {
            let hint =
                switch response.status {
                case 401: ": the token was refused; \(advice.refusedToken)"
                case 403: ": the token may not do this; \(advice.forbiddenToken)"
                case 404: ": no repository there; \(advice.noRepository)"
                case 300..<400: ": a redirect, which is refused so the token stays with this host; give the URL it names"
                default: ""
                }
            // Redacted before it is cut, so no part of an echoed credential survives the cut.
            let whole = redact(String(decoding: response.body.prefix(64 << 10), as: UTF8.self))
            let text = String(whole.prefix(200)).trimmingNewlines().escapedForLog(quoting: true)
            throw GitProtocolError(
                .transport,
                "\(request.method.rawValue) \(request.path) answered \(response.status)\(hint)\(text.isEmpty ? "" : " (\"\(text)\")")"
            )
        }
        if let expected = request.accept, let type = response.headers["content-type"], type != expected {
            throw GitProtocolError(
                .transport,
                "\(request.method.rawValue) \(request.path) answered \(type), not \(expected): the URL is not a git smart-HTTP repository"
            )
        }
        return response.body
    }
}
