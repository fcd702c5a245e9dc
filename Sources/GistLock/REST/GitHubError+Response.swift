import Foundation
import GitSmartHTTP
#if canImport(FoundationNetworking)
import FoundationNetworking
import TextEscaping
#endif

/// What a request was about, so a 404 or 403 can name the right thing to fix.
enum GistTarget: Sendable {
    /// `/gists/{id}`.
    case gist(String)
    /// `POST /gists`.
    case newGist
}

/// One request as error messages describe it: method, address (never with credentials) and target.
struct RequestSummary: Sendable {
    let method: String
    let url: String
    let target: GistTarget
    let apiURL: String
    /// Where the token came from (a variable, a file), named when it is refused.
    var tokenOrigin = "LEADER_ELECTION_GITHUB_API_TOKEN"

    var line: String { "\(method) \(url)" }
}

extension GitHubError {
    /// Classifies an answer whose status the caller did not expect; `fallbackWait` is the pause after
    /// a rate-limit answer that names no deadline.
    static func classify(
        status: Int, response: HTTPURLResponse, body: Data, request: RequestSummary, now: Date,
        fallbackWait: TimeInterval = 60
    ) -> GitHubError {
        let githubMessage = Self.githubMessage(in: body)
        let quotedMessage = githubMessage.map { " " + quotedPrefix(Array($0.utf8), limit: 160) } ?? ""
        switch status {
        case 401:
            return GitHubError(
                code: .unauthorized,
                message: "the token was rejected (401 Bad credentials): check \(request.tokenOrigin)",
                status: status)
        case 403, 429:
            if let (retryAt, capped) = rateLimitDeadline(
                status: status, response: response, message: githubMessage, now: now, fallbackWait: fallbackWait)
            {
                let cappedNote = capped.map { " (GitHub asked for Retry-After: \($0) s; capped at one hour)" } ?? ""
                return GitHubError(
                    code: .rateLimited,
                    message: "GitHub rate limit reached (\(status)\(quotedMessage)) on \(request.line): "
                        + "no requests until \(retryAt.formatted(.iso8601)) (UTC)\(cappedNote); "
                        + "fewer candidates per token or longer timings keep the rate under GitHub's limits",
                    status: status, retryAt: retryAt, cappedRetryAfter: capped)
            }
            return forbidden(status: status, quotedMessage: quotedMessage, request: request)
        case 404:
            switch request.target {
            case .gist(let id):
                return GitHubError(
                    code: .gistNotFound,
                    message: "gist \(id) not found at \(request.apiURL): check --gist, and that the token has the gist scope",
                    status: status)
            case .newGist:
                // GitHub answers 404 rather than 403 when the token lacks the gist scope.
                return forbidden(status: status, quotedMessage: quotedMessage, request: request)
            }
        case 301, 302, 303, 307, 308:
            let location = response.value(forHTTPHeaderField: "Location").map { " to \($0)" } ?? ""
            return GitHubError(
                code: .unexpectedResponse,
                message: "unexpected redirect (\(status)\(location)) for \(request.line): "
                    + "set --github-api-url to the API root itself (https://api.github.com for GitHub)",
                status: status)
        case 500..<600:
            return GitHubError(
                code: .serverError,
                message: "GitHub failed with \(status)\(quotedMessage) on \(request.line): "
                    + "a fault on GitHub's side, retried later (see https://www.githubstatus.com if it persists)",
                status: status)
        case 400..<500:
            return GitHubError(
                code: .requestRejected,
                message: "GitHub rejected \(request.line) with \(status)\(quotedMessage): "
                    + "check that --github-api-url is a GitHub-compatible API and the gist is a normal gist",
                status: status)
        default:
            break
        }
        return unexpected(status: status, response: response, body: body, request: request, reason: nil)
    }

    /// An answer that is not the JSON this API sends: quotes the content type and the first bytes.
    static func unexpected(
        status: Int, response: HTTPURLResponse, body: Data, request: RequestSummary, reason: String?
    ) -> GitHubError {
        let contentType = response.value(forHTTPHeaderField: "Content-Type") ?? "none"
        let why = reason.map { " (\($0))" } ?? ""
        return GitHubError(
            code: .unexpectedResponse,
            message: "unexpected answer to \(request.line): status \(status), content-type \(contentType), "
                + "body starts \(quotedPrefix(body))\(why): "
                + "check that --github-api-url is the API root (https://api.github.com for GitHub), not a web page",
            status: status)
    }

    private static func forbidden(status: Int, quotedMessage: String, request: RequestSummary) -> GitHubError {
        switch request.target {
        case .gist(let id):
            return GitHubError(
                code: .forbidden,
                message: "GitHub refused access to gist \(id) (\(status)\(quotedMessage)): "
                    + "check that the token has the gist scope and may write this gist",
                status: status)
        case .newGist:
            return GitHubError(
                code: .forbidden,
                message: "GitHub refused to create a gist (\(status)\(quotedMessage)): give the token the gist scope",
                status: status)
        }
    }

    /// The longest pause honoured: GitHub's limits reset within the hour, so a longer ask is an error.
    static let longestRateLimitWait: TimeInterval = 3600

    /// When to send again (and the `retry-after` seconds asked for, when they were capped), or `nil`
    /// when the answer shows no sign of a rate limit.
    /// GitHub's documented order: `retry-after` first, then `x-ratelimit-remaining: 0` with its reset.
    private static func rateLimitDeadline(
        status: Int, response: HTTPURLResponse, message: String?, now: Date, fallbackWait: TimeInterval
    ) -> (Date, capped: Int?)? {
        func header(_ name: String) -> String? {
            response.value(forHTTPHeaderField: name)?.trimmingCharacters(in: .whitespaces)
        }
        if let seconds = header("retry-after").flatMap({ Int($0) }) {
            let wait = min(TimeInterval(max(seconds, 1)), longestRateLimitWait)
            return (now.addingTimeInterval(wait), TimeInterval(seconds) > longestRateLimitWait ? seconds : nil)
        }
        if header("x-ratelimit-remaining") == "0" {
            guard let reset = header("x-ratelimit-reset").flatMap({ TimeInterval($0) }) else {
                return (now.addingTimeInterval(fallbackWait), nil)
            }
            // Clock skew must neither make us hammer (a reset in our past) nor stall for long
            // (a reset further than GitHub's one-hour window).
            let wait = min(max(reset - now.timeIntervalSince1970, 1), longestRateLimitWait)
            return (now.addingTimeInterval(wait), nil)
        }
        // Secondary limits may come without headers; GitHub asks for at least a minute's pause.
        if status == 429 || message?.lowercased().contains("rate limit") == true {
            return (now.addingTimeInterval(fallbackWait), nil)
        }
        return nil
    }

    /// GitHub's `{"message": ...}` error text, when the body has one.
    private static func githubMessage(in body: Data) -> String? {
        struct ErrorBody: Decodable { var message: String? }
        return (try? JSONDecoder().decode(ErrorBody.self, from: body))?.message
    }
}
