import GitSmartHTTP
import LeaderElection
public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// GitHub's gist REST API over URLSession: read, update and create gists, with typed errors and
/// rate-limit backoff.
///
/// HTTP caching is off (GitHub sends `Cache-Control: max-age=60`, and a cached read would show a dead
/// leader alive), redirects are not followed, and every request has a timeout. After a rate-limit
/// answer the client sends nothing until GitHub's deadline passes, throwing the same error at once
/// instead (no network, no wait), so a caller that retries on a timer costs nothing meanwhile.
public actor GistClient: CustomStringConvertible {
    /// The API root, such as `https://api.github.com`.
    public nonisolated let apiURL: URL
    /// Sent as `User-Agent`, which GitHub requires.
    public nonisolated let userAgent: String
    /// The longest any one request may take.
    public nonisolated let timeout: Duration
    /// Sent as `X-GitHub-Api-Version`; it picks the shapes GitHub answers with.
    public nonisolated let apiVersion: String
    /// The largest answer body read, in bytes; a longer one is refused (`unexpectedResponse`) without
    /// being read whole, so memory stays bounded whatever the server sends.
    public nonisolated let answerLimit: Int

    /// The default `answerLimit`, 10 MB: GitHub cuts each file's `content` at 1 MB in a gist's answer,
    /// and a lock gist holds one small record, so 10 MB leaves room for several full-size neighbours
    /// (with JSON escaping) while a runaway or hostile server cannot take the app's memory.
    public static let defaultAnswerLimit = 10 << 20

    private let token: RedactedToken
    private let tokenOrigin: String
    private let session: URLSession
    private let now: @Sendable () -> Date
    private let onResponse: (@Sendable (_ method: String, _ status: Int?) -> Void)?
    /// The rate-limit headers of the latest answer that carried them.
    public private(set) var rateLimit: RateLimitStatus?
    /// The last rate-limit error; while its `retryAt` lies ahead, requests are refused locally.
    private var backoff: GitHubError?
    /// Rate-limit answers in a row, doubling the pause when GitHub names no deadline.
    private var limitsInARow = 0
    /// Rate-limit answers received, and requests refused locally while one was in force.
    private var limitedAnswers = 0
    private var heldRequests = 0

    /// - Parameters:
    ///   - apiURL: the API root (`https://api.github.com`, or a local gist server).
    ///   - token: a token with the gist scope, sent as `Authorization: Bearer`; never printed.
    ///   - userAgent: identifies the app to GitHub.
    ///   - timeout: the limit for each request.
    ///   - apiVersion: the REST version to ask for (`X-GitHub-Api-Version`).
    ///   - now: wall time, for rate-limit deadlines (GitHub gives them as epoch seconds).
    ///   - onResponse: called after every request sent, with its method and HTTP status
    ///     (`nil` when no answer came), for request metrics.
    ///   - tokenOrigin: where the token came from, named when GitHub refuses it.
    ///   - answerLimit: the largest answer body read, in bytes.
    public init(
        apiURL: URL,
        token: String,
        userAgent: String,
        timeout: Duration = .seconds(10),
        apiVersion: String = GistClient.defaultAPIVersion,
        now: @escaping @Sendable () -> Date = { Date() },
        onResponse: (@Sendable (_ method: String, _ status: Int?) -> Void)? = nil,
        tokenOrigin: String = "LEADER_ELECTION_GITHUB_API_TOKEN",
        answerLimit: Int = GistClient.defaultAnswerLimit
    ) {
        self.answerLimit = answerLimit
        self.tokenOrigin = tokenOrigin
        self.apiURL = apiURL
        self.token = RedactedToken(value: token)
        self.userAgent = userAgent
        self.timeout = timeout
        self.apiVersion = apiVersion
        self.now = now
        self.onResponse = onResponse
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = timeout.libcurlBackstop
        configuration.timeoutIntervalForResource = timeout.libcurlBackstop
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        self.session = URLSession.bounded(configuration: configuration, cancelsAuthChallenges: false)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// The API address and user agent; never the token.
    public nonisolated var description: String {
        "GistClient(api: \(displayURL(apiURL)), user agent: \(userAgent))"
    }

    /// Until when requests are held back after a rate-limit answer; `nil` when requests may be sent.
    public var retryAt: Date? {
        guard let until = backoff?.retryAt, until > now() else { return nil }
        return until
    }

    /// Everything a metrics scrape wants to know about rate limits, in one call: the last headers
    /// (`latest.remaining`, `latest.reset`), the hold (`retryAt`) and the running counts. Reading it
    /// costs one hop onto the actor, which is never held across a request.
    public var rateLimitSnapshot: RateLimitSnapshot {
        RateLimitSnapshot(latest: rateLimit, retryAt: retryAt, limitedAnswers: limitedAnswers, heldRequests: heldRequests)
    }

    /// Reads a gist; with `etag`, asks GitHub to answer 304 if nothing changed (a 304 does not count
    /// against the hourly limit).
    public func getGist(_ id: String, ifNoneMatch etag: String? = nil) async throws -> GistRead {
        let url = gistURL(id)
        let summary = summary("GET", url, .gist(id))
        let (data, response) = try await send(summary, url: url, body: nil, ifNoneMatch: etag)
        if response.statusCode == 304, etag != nil { return .notModified }
        try expect(200, data, response, summary)
        return .modified(try decode(data, response, summary), etag: response.value(forHTTPHeaderField: "ETag"))
    }

    /// Replaces the content of the named files with a PATCH; every other file stays as it is.
    @discardableResult
    public func updateFiles(inGist id: String, _ files: [String: String]) async throws -> Gist {
        try await updateFilesWithETag(inGist: id, files).gist
    }

    /// `updateFiles`, also returning the answer's ETag: the gist as it is after the write, which a
    /// later conditional read can name in `If-None-Match` to get a free 304 while nothing changed.
    public func updateFilesWithETag(inGist id: String, _ files: [String: String]) async throws -> (gist: Gist, etag: String?) {
        let url = gistURL(id)
        let summary = summary("PATCH", url, .gist(id))
        let body = try JSONEncoder().encode(GistWrite(description: nil, isPublic: nil, files: files))
        let (data, response) = try await send(summary, url: url, body: body, ifNoneMatch: nil)
        try expect(200, data, response, summary)
        return (try decode(data, response, summary), response.value(forHTTPHeaderField: "ETag"))
    }

    /// Creates a gist, secret unless `isPublic`, and returns it (its `id` is what `--gist` takes).
    public func createGist(description: String, files: [String: String], isPublic: Bool = false) async throws -> Gist {
        let url = apiURL.appendingPathComponent("gists")
        let summary = summary("POST", url, .newGist)
        let body = try JSONEncoder().encode(GistWrite(description: description, isPublic: isPublic, files: files))
        let (data, response) = try await send(summary, url: url, body: body, ifNoneMatch: nil)
        try expect(201, data, response, summary)
        return try decode(data, response, summary)
    }

    // MARK: - One exchange

    func send(
        _ summary: RequestSummary, url: URL, body: Data?, ifNoneMatch: String?
    ) async throws -> (Data, HTTPURLResponse) {
        if let pending = backoff {
            if let until = pending.retryAt, now() < until {
                heldRequests += 1
                throw pending
            }
            backoff = nil
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout.libcurlBackstop)
        request.httpMethod = summary.method
        request.setValue("Bearer \(token.value)", forHTTPHeaderField: "Authorization")
        request.setValue("application/vnd.github+json", forHTTPHeaderField: "Accept")
        request.setValue(apiVersion, forHTTPHeaderField: "X-GitHub-Api-Version")
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        if let ifNoneMatch { request.setValue(ifNoneMatch, forHTTPHeaderField: "If-None-Match") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.exchange(request, timeout: timeout, limit: answerLimit)
        } catch let tooLarge as AnswerTooLarge {
            onResponse?(summary.method, tooLarge.status)
            throw GitHubError(
                code: .unexpectedResponse,
                message: "the answer to \(summary.line) \(tooLarge.what), "
                    + "over the \(tooLarge.bound) a gist answer may take, so it was refused unread: check --github-api-url "
                    + "(GitHub's API root or a gist-server), and keep the lock in a gist without large files",
                status: tooLarge.status)
        } catch {
            onResponse?(summary.method, nil)
            if Task.isCancelled { throw CancellationError() }
            throw transportError(error, summary)
        }
        guard let http = response as? HTTPURLResponse else {
            onResponse?(summary.method, nil)
            throw GitHubError(
                code: .unexpectedResponse,
                message: "\(summary.line) got no HTTP answer: "
                    + "check that --github-api-url is an http(s) address", status: nil)
        }
        onResponse?(summary.method, http.statusCode)
        if let status = RateLimitStatus(http) { rateLimit = status }
        if http.statusCode != 403 && http.statusCode != 429 { limitsInARow = 0 }
        return (data, http)
    }

    private func expect(_ status: Int, _ data: Data, _ response: HTTPURLResponse, _ summary: RequestSummary) throws {
        guard response.statusCode != status else { return }
        // GitHub's advice when no deadline is given: wait a minute, then back off exponentially.
        let fallbackWait = 60 * TimeInterval(1 << min(limitsInARow, 4))
        // The body is redacted before any part of it is quoted and cut.
        let body = Data(token.scrub(String(decoding: data, as: UTF8.self)).utf8)
        let error = scrubbed(
            GitHubError.classify(
                status: response.statusCode, response: response, body: body, request: summary, now: now(),
                fallbackWait: fallbackWait))
        if error.code == .rateLimited {
            backoff = error
            limitsInARow += 1
            limitedAnswers += 1
        }
        throw error
    }

    private func decode(_ data: Data, _ response: HTTPURLResponse, _ summary: RequestSummary) throws -> Gist {
        do {
            return try JSONDecoder().decode(Gist.self, from: data)
        } catch {
            throw scrubbed(
                GitHubError.unexpected(
                    status: response.statusCode, response: response,
                    body: Data(token.scrub(String(decoding: data, as: UTF8.self)).utf8),
                    request: summary,
                    reason: "not a gist: \(decodingReason(error))"))
        }
    }

    private func transportError(_ error: any Error, _ summary: RequestSummary) -> GitHubError {
        let reason = (error as? URLError).map(describe) ?? String(describing: type(of: error))
        return scrubbed(
            GitHubError(
                code: .transport,
                message: "cannot reach \(summary.line): \(reason): check --github-api-url and the network",
                status: nil))
    }

    /// Servers may echo what they were sent; nothing the token appears in leaves the client.
    func scrubbed(_ error: GitHubError) -> GitHubError {
        GitHubError(
            code: error.code, message: token.scrub(error.message), status: error.status, retryAt: error.retryAt,
            cappedRetryAfter: error.cappedRetryAfter)
    }

    private func gistURL(_ id: String) -> URL {
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))
        let component = id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
        return apiURL.appendingPathComponent("gists").appendingPathComponent(component, isDirectory: false)
    }

    func summary(_ method: String, _ url: URL, _ target: GistTarget) -> RequestSummary {
        RequestSummary(method: method, url: displayURL(url), target: target, apiURL: displayURL(apiURL), tokenOrigin: tokenOrigin)
    }
}

/// The body of POST and PATCH: only the named files, so GitHub leaves every other file alone.
private struct GistWrite: Encodable {
    struct File: Encodable { var content: String }
    var description: String?
    var isPublic: Bool?
    var files: [String: File]

    init(description: String?, isPublic: Bool?, files: [String: String]) {
        self.description = description
        self.isPublic = isPublic
        self.files = files.mapValues { File(content: $0) }
    }

    enum CodingKeys: String, CodingKey {
        case description, files
        case isPublic = "public"
    }
}

/// An address fit for messages: without user, password, query or fragment.
private func displayURL(_ url: URL) -> String {
    guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "<address>" }
    components.user = nil
    components.password = nil
    components.query = nil
    components.fragment = nil
    return components.string ?? "<address>"
}

private func describe(_ error: URLError) -> String {
    switch error.code {
    case .timedOut: "no answer within the timeout"
    case .cannotFindHost, .dnsLookupFailed: "the host name does not resolve"
    case .cannotConnectToHost: "connection refused"
    case .networkConnectionLost: "the connection was lost"
    case .notConnectedToInternet: "no network"
    case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
        .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
        "the TLS connection failed"
    case .badServerResponse: "the server's answer was not HTTP"
    case .unsupportedURL: "the address is not http(s)"
    default: "URL error \(error.code.rawValue)"
    }
}

extension Duration {
    /// The duration in seconds, as Foundation's time intervals count.
    var timeInterval: TimeInterval { secondsValue }
}
