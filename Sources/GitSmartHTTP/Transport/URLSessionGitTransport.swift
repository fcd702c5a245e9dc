public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `GitTransport` over URLSession: Basic auth with the token as password, HTTPS only (plain HTTP
/// only to a loopback host), no redirects, no cache, and no answer longer than `answerLimit`.
public struct URLSessionGitTransport: GitTransport {
    /// The default `answerLimit`, 20 MB: `GitBranchWriter`'s fetches leave out every blob
    /// (`filter blob:none`) and take one commit (`deepen 1`), and its pushes answer a short report, so a
    /// real answer is a few kilobytes of commits and trees; 20 MB leaves room for a large tree while a
    /// runaway or hostile server cannot take the app's memory.
    public static let defaultAnswerLimit = 20 << 20

    /// The largest answer body (an advertisement, a pack, a report) read, in bytes; a longer one is
    /// refused with a `GitProtocolError` without being read whole.
    public let answerLimit: Int
    private let repository: URL
    private let token: RedactedToken
    private let session: URLSession
    private let timeout: Duration
    private let userAgent: String
    private let advice: GitAdvice

    /// A transport to the repository at `repository`, authenticated by `token` and naming itself
    /// `userAgent`; each request ends within `timeout`, and errors end in `advice`. Plain HTTP is
    /// allowed to a loopback host, and to `plainHTTPHost` (for an application that already sends the
    /// token there over plain HTTP).
    public init(
        repository: URL, token: String, userAgent: String, advice: GitAdvice = .generic, timeout: Duration = .seconds(10),
        plainHTTPHost: String? = nil,
        answerLimit: Int = URLSessionGitTransport.defaultAnswerLimit
    ) throws {
        guard let scheme = repository.scheme?.lowercased(), let host = repository.host?.lowercased() else {
            throw GitProtocolError(
                .transport, "\"\(repository.absoluteString)\" is not a URL with a scheme and host; \(advice.notAURL)")
        }
        let loopback = host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
        guard scheme == "https" || (scheme == "http" && (loopback || host == plainHTTPHost?.lowercased())) else {
            throw GitProtocolError(
                .transport,
                "\(repository.absoluteString) is not HTTPS; the token is sent only over HTTPS (\(advice.plainHTTP))"
            )
        }
        self.repository = repository.absoluteString.hasSuffix("/") ? repository : URL(string: repository.absoluteString + "/")!
        self.token = RedactedToken(value: token)
        self.timeout = timeout
        self.userAgent = userAgent
        self.advice = advice
        self.answerLimit = answerLimit
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout.libcurlBackstop
        configuration.timeoutIntervalForResource = timeout.libcurlBackstop
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        self.session = URLSession.bounded(configuration: configuration, cancelsAuthChallenges: true)
    }

    public func redact(_ text: String) -> String { token.scrub(text) }

    public func send(_ request: GitRequest) async throws -> GitResponse {
        guard let url = URL(string: request.path, relativeTo: repository) else {
            throw GitProtocolError(.transport, "\(request.path) does not form a URL below the repository URL")
        }
        var urlRequest = URLRequest(url: url, timeoutInterval: timeout.libcurlBackstop)
        urlRequest.httpMethod = request.method.rawValue
        urlRequest.cachePolicy = .reloadIgnoringLocalCacheData
        let credentials = Data("x-access-token:\(token.value)".utf8).base64EncodedString()
        urlRequest.setValue("Basic \(credentials)", forHTTPHeaderField: "Authorization")
        urlRequest.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        if let contentType = request.contentType { urlRequest.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let accept = request.accept { urlRequest.setValue(accept, forHTTPHeaderField: "Accept") }
        if request.method == .post { urlRequest.httpBody = Data(request.body) }
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await session.exchange(urlRequest, timeout: timeout, limit: answerLimit)
        } catch let tooLarge as AnswerTooLarge {
            throw GitProtocolError(
                .transport,
                "the answer to \(request.method.rawValue) \(displayed(url)) \(tooLarge.what), over the "
                    + "\(tooLarge.bound) \(advice.answerTooLarge)")
        } catch let error as URLError
            where error.code == .userCancelledAuthentication || error.code == .cancelled && !Task.isCancelled
        {
            throw GitProtocolError(
                .transport,
                "\(request.method.rawValue) \(request.path) answered 401: the token was refused; \(advice.refusedToken)"
            )
        } catch let error as URLError {
            throw GitProtocolError(
                .transport,
                "\(request.method.rawValue) \(url.absoluteString) got no answer: \(token.scrub(error.localizedDescription))")
        }
        guard let http = response as? HTTPURLResponse else {
            throw GitProtocolError(.transport, "\(url.absoluteString) did not answer in HTTP")
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name.base as? String, let value = value as? String { headers[name] = value }
        }
        return GitResponse(status: http.statusCode, headers: headers, body: Array(data))
    }
}

/// `url` without user, password or query, fit for messages.
private func displayed(_ url: URL) -> String {
    guard var components = URLComponents(url: url.absoluteURL, resolvingAgainstBaseURL: false) else { return "<address>" }
    components.user = nil
    components.password = nil
    components.query = nil
    return components.string ?? "<address>"
}
