import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Everything GitHub does around an endpoint: injected faults first, then the User-Agent, API
/// version, credentials, rate limits and conditional-header checks, then GitHub's headers on the
/// answer, and finally the request tally. It never throws: every failure becomes a GitHub-shaped
/// answer, so that the tally sees the status the client saw.
struct GitHubMiddleware: FaultingMiddleware {
    typealias Context = GistRequestContext

    let parts: FaultingParts
    let limiter: RateLimiter
    let apiVersions: [String]
    let retiredAPIVersions: [String]
    /// Status of a primary rate-limit answer (403 or 429).
    let exceededStatus: Int

    func respond(
        _ request: Request, context: Context, credential: Credential, fault: Fault?,
        next: (Request, Context) async throws -> Response
    ) async -> (response: Response, route: String) {
        var response = await answer(request, context: context, credential: credential, fault: fault, next: next)
        if response.headers[.contentType] == nil, response.status != .noContent, response.status != .notModified {
            response.headers[.contentType] = GitHubJSON.contentType
        }
        response.headers[Self.mediaTypeField] = "github.v3; format=json"
        response.headers[Self.varyField] = Self.vary
        response.headers[Self.requestIDField] = Self.newRequestID()
        // Read after the handler: the router names the endpoint (or "NotFound") while routing.
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : Self.template($0) } ?? "unmatched"
        return (response, route)
    }

    private func answer(
        _ request: Request, context: Context, credential: Credential, fault: Fault?,
        next: (Request, Context) async throws -> Response
    ) async -> Response {
        var context = context
        if let fault {
            if let status = fault.status {
                return await injected(status: status, fault: fault, credential: credential, context: context)
            }
            context.staleness = fault.staleness
        }
        guard let agent = request.headers[.userAgent], !agent.trimmingCharacters(in: .whitespaces).isEmpty else {
            return render(GitHubAPIError.missingUserAgent, request, context)
        }
        let requestedVersion = request.headers[Self.apiVersionField]
        if let requestedVersion, retiredAPIVersions.contains(requestedVersion) {
            return render(GitHubAPIError.retiredAPIVersion(requestedVersion), request, context)
        }
        if let requestedVersion, !apiVersions.contains(requestedVersion) {
            return render(GitHubAPIError.unsupportedAPIVersion(requestedVersion), request, context)
        }
        context.apiVersion = requestedVersion ?? apiVersions.first ?? GitHubAPIVersion.v2022_11_28
        switch credential {
        case .invalid:
            return render(GitHubAPIError.badCredentials, request, context)
        case .token(let token):
            context.caller = token
        case .anonymous:
            break
        }
        let payer = rateLimitCaller(credential, context)
        let contentCreating = [.post, .patch, .delete].contains(request.method)
        var rate: RateLimiter.Snapshot
        // GitHub does not count GET /rate_limit against the limit, and answers it even when exhausted.
        let counted = request.uri.path != "/rate_limit"
        let decision =
            counted
            ? await limiter.admit(payer, contentCreating: contentCreating) : .allowed(await limiter.peek(payer))
        switch decision {
        case .allowed(let snapshot):
            rate = snapshot
        case .primaryExceeded(let snapshot):
            return render(primaryExceeded(credential, context), request, context, rate: snapshot)
        case .secondaryExceeded(let snapshot, let retryAfter):
            return render(Self.secondaryExceeded(retryAfter: retryAfter), request, context, rate: snapshot)
        }

        context.rate = rate
        var response: Response
        if contentCreating, request.headers[.ifMatch] != nil || request.headers[.ifUnmodifiedSince] != nil {
            response = render(GitHubAPIError.conditionalHeaderInUnsafeRequest, request, context)
        } else {
            do {
                response = try await next(request, context)
            } catch {
                response = render(error, request, context)
            }
        }
        if response.status == .notModified, counted {
            rate = await limiter.refund(payer)
        }
        Self.addRateHeaders(&response, rate)
        if response.status.kind == .successful || response.status == .notModified, request.method != .delete {
            response.headers[.cacheControl] =
                credential.isAuthenticated
                ? "private, max-age=60, s-maxage=60" : "public, max-age=60, s-maxage=60"
        }
        if let token = context.caller {
            response.headers[Self.oauthScopesField] = token.hasGistScope ? "gist" : ""
        }
        response.headers[Self.versionSelectedField] = requestedVersion ?? apiVersions.first
        return response
    }

    /// An answer for a status a fault asked for, shaped like GitHub's answer with that status.
    private func injected(status: Int, fault: Fault, credential: Credential, context: Context) async -> Response {
        let httpStatus = GitHubJSON.status(status)
        let error: GitHubAPIError
        var rate: RateLimiter.Snapshot?
        switch (status, fault.retryAfter) {
        case (403, let retryAfter?), (429, let retryAfter?):
            error = Self.secondaryExceeded(retryAfter: retryAfter, status: httpStatus)
        case (403, nil), (429, nil):
            var snapshot = await limiter.peek(rateLimitCaller(credential, context))
            snapshot.remaining = 0
            snapshot.used = snapshot.limit
            rate = snapshot
            var exceeded = primaryExceeded(credential, context)
            exceeded.status = httpStatus
            error = exceeded
        default:
            var generic = GitHubAPIError(httpStatus, message: httpStatus.reasonPhrase)
            if let retryAfter = fault.retryAfter { generic.headers[.retryAfter] = String(retryAfter) }
            error = generic
        }
        var response = GitHubJSON.response(
            status: httpStatus,
            body: [
                "message": fault.message ?? error.message, "documentation_url": error.documentationURL, "status": String(status),
            ])
        response.headers.append(contentsOf: error.headers)
        if let rate { Self.addRateHeaders(&response, rate) }
        return response
    }

    private func rateLimitCaller(_ credential: Credential, _ context: Context) -> RateLimiter.Caller {
        if case .token(let token) = credential { return .token(label: token.label) }
        return .client(address: context.clientAddress)
    }

    private func primaryExceeded(_ credential: Credential, _ context: Context) -> GitHubAPIError {
        let message =
            credential.isAuthenticated
            ? "API rate limit exceeded for user ID \(credential.userID ?? 0)."
            : "API rate limit exceeded for \(context.clientAddress). (But here's the good news: Authenticated requests get "
                + "a higher rate limit. Check out the documentation for more details.)"
        return GitHubAPIError(
            GitHubJSON.status(exceededStatus), message: message, documentationURL: GitHubAPIError.Docs.primaryRateLimit)
    }

    private static func secondaryExceeded(retryAfter: Int, status: HTTPResponse.Status = .forbidden) -> GitHubAPIError {
        var headers = HTTPFields()
        headers[.retryAfter] = String(retryAfter)
        return GitHubAPIError(
            status,
            message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                + "If you reach out to GitHub Support for help, please include the request ID.",
            documentationURL: GitHubAPIError.Docs.secondaryRateLimit, headers: headers)
    }

    private func render(
        _ error: any Error, _ request: Request, _ context: Context, rate: RateLimiter.Snapshot? = nil
    ) -> Response {
        let apiError: GitHubAPIError
        switch error {
        case let known as GitHubAPIError:
            apiError = known
        case let http as any HTTPResponseError:
            apiError =
                http.status == .notFound
                ? .notFound() : GitHubAPIError(http.status, message: http.status.reasonPhrase)
        default:
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            apiError = GitHubAPIError(.internalServerError, message: "Server Error")
        }
        var response =
            (try? apiError.response(from: request, context: context))
            ?? Response(status: apiError.status)
        if let rate { Self.addRateHeaders(&response, rate) }
        response.headers[Self.versionSelectedField] = apiVersions.first
        return response
    }

    private static func addRateHeaders(_ response: inout Response, _ rate: RateLimiter.Snapshot) {
        response.headers[limitField] = String(rate.limit)
        response.headers[remainingField] = String(rate.remaining)
        response.headers[usedField] = String(rate.used)
        response.headers[resetField] = String(rate.reset)
        response.headers[resourceField] = rate.resource
    }

    /// `/gists/:gist_id` as `/gists/{gist_id}`, the form GitHub's documentation uses.
    static func template(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }.joined(separator: "/")
    }

    /// A fresh `X-GitHub-Request-Id`, in GitHub's five hex groups.
    static func newRequestID() -> String {
        [4, 5, 7, 7, 8].map { digits in
            String(UInt64.random(in: 0..<(1 << (4 * UInt64(digits)))), radix: 16, uppercase: true)
        }.joined(separator: ":")
    }

    /// What api.github.com names in `Vary`: the answer depends on these request headers.
    static let vary = "Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding, X-Requested-With"
    static let varyField = HTTPField.Name("Vary")!
    static let requestIDField = HTTPField.Name("X-GitHub-Request-Id")!
    static let apiVersionField = HTTPField.Name("X-GitHub-Api-Version")!
    static let versionSelectedField = HTTPField.Name("X-GitHub-Api-Version-Selected")!
    static let mediaTypeField = HTTPField.Name("X-GitHub-Media-Type")!
    static let oauthScopesField = HTTPField.Name("X-OAuth-Scopes")!
    static let limitField = HTTPField.Name("X-RateLimit-Limit")!
    static let remainingField = HTTPField.Name("X-RateLimit-Remaining")!
    static let usedField = HTTPField.Name("X-RateLimit-Used")!
    static let resetField = HTTPField.Name("X-RateLimit-Reset")!
    static let resourceField = HTTPField.Name("X-RateLimit-Resource")!
}
