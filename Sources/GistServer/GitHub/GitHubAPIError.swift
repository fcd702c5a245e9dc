public import Hummingbird

/// An answer in GitHub's error shape: `{"message", "documentation_url", "status"}` (plus `errors`
/// for validation failures), with GitHub's status code and headers.
public struct GitHubAPIError: HTTPResponseError, Sendable, CustomStringConvertible {
    /// One entry of a validation failure's `errors` list.
    public struct Issue: Codable, Sendable, Equatable {
        /// The kind of resource, "Gist".
        public var resource: String
        /// The field at fault, e.g. "files".
        public var field: String
        /// GitHub's code: missing_field, invalid, already_exists, custom.
        public var code: String
        /// Optional explanation.
        public var message: String?

        /// Creates an issue.
        public init(resource: String = "Gist", field: String, code: String, message: String? = nil) {
            self.resource = resource
            self.field = field
            self.code = code
            self.message = message
        }
    }

    /// HTTP status of the answer.
    public var status: HTTPResponse.Status
    /// The `message` of the body.
    public var message: String
    /// The `documentation_url` of the body.
    public var documentationURL: String
    /// Validation issues; the `errors` key is left out when empty.
    public var issues: [Issue]
    /// Extra headers, e.g. retry-after or x-ratelimit-*.
    public var headers: HTTPFields

    /// Creates an error answer.
    public init(
        _ status: HTTPResponse.Status, message: String, documentationURL: String = Docs.rest,
        issues: [Issue] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.message = message
        self.documentationURL = documentationURL
        self.issues = issues
        self.headers = headers
    }

    /// Log text: status and message.
    public var description: String { "GitHub API error \(status.code): \(message)" }

    /// Renders the JSON body with GitHub's content type.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = GitHubJSON.response(status: status, body: Body(error: self))
        response.headers.append(contentsOf: headers)
        return response
    }

    private struct Body: Encodable {
        let error: GitHubAPIError
        enum CodingKeys: String, CodingKey { case message, errors, documentation_url, status }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(error.message, forKey: .message)
            if !error.issues.isEmpty { try container.encode(error.issues, forKey: .errors) }
            try container.encode(error.documentationURL, forKey: .documentation_url)
            try container.encode(String(error.status.code), forKey: .status)
        }
    }
}

extension GitHubAPIError {
    /// Documentation links GitHub puts in its error bodies.
    public enum Docs {
        /// Generic REST documentation.
        public static let rest = "https://docs.github.com/rest"
        public static let getGist = "https://docs.github.com/rest/gists/gists#get-a-gist"
        public static let createGist = "https://docs.github.com/rest/gists/gists#create-a-gist"
        public static let updateGist = "https://docs.github.com/rest/gists/gists#update-a-gist"
        public static let primaryRateLimit = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
        public static let secondaryRateLimit =
            "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
        public static let apiVersions = "https://docs.github.com/rest/overview/api-versions"
    }

    /// 401 for an unknown token or a malformed Authorization header.
    public static let badCredentials = GitHubAPIError(.unauthorized, message: "Bad credentials")

    /// 401 for a write without any token.
    public static func requiresAuthentication(documentationURL: String) -> GitHubAPIError {
        GitHubAPIError(.unauthorized, message: "Requires authentication", documentationURL: documentationURL)
    }

    /// 404 for unknown gists, unknown routes, and writes by a token without the gist scope.
    public static func notFound(documentationURL: String = Docs.rest) -> GitHubAPIError {
        GitHubAPIError(.notFound, message: "Not Found", documentationURL: documentationURL)
    }

    /// 403 for a request without User-Agent, with GitHub's wording.
    public static let missingUserAgent = GitHubAPIError(
        .forbidden,
        message: "Request forbidden by administrative rules. Please make sure your request has a User-Agent header "
            + "(https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). "
            + "Check https://developer.github.com for other possible causes.",
        documentationURL: "https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required")

    /// 400 for an X-GitHub-Api-Version the server does not know.
    public static func unsupportedAPIVersion(_ version: String) -> GitHubAPIError {
        GitHubAPIError(.badRequest, message: "API version \(version) is not supported.", documentationURL: Docs.apiVersions)
    }

    /// 410 for an X-GitHub-Api-Version that GitHub has retired.
    public static func retiredAPIVersion(_ version: String) -> GitHubAPIError {
        GitHubAPIError(
            .gone, message: "API version \(version) has been retired; send a supported X-GitHub-Api-Version.",
            documentationURL: Docs.apiVersions)
    }

    /// 400 for If-Match and friends on PATCH/POST/DELETE, as GitHub answers them.
    public static let conditionalHeaderInUnsafeRequest = GitHubAPIError(
        .badRequest, message: "Conditional request headers are not allowed in unsafe requests unless supported by the endpoint")

    /// 400 for a body that is not JSON.
    public static func problemsParsingJSON(documentationURL: String) -> GitHubAPIError {
        GitHubAPIError(.badRequest, message: "Problems parsing JSON", documentationURL: documentationURL)
    }

    /// 422 for a body of the wrong shape, worded as GitHub's schema validation words it.
    public static func invalidRequest(_ detail: String, documentationURL: String) -> GitHubAPIError {
        GitHubAPIError(.unprocessableContent, message: "Invalid request.\n\n\(detail)", documentationURL: documentationURL)
    }

    /// 422 "Validation Failed" with its `errors` list.
    public static func validationFailed(_ issues: [Issue], documentationURL: String) -> GitHubAPIError {
        GitHubAPIError(.unprocessableContent, message: "Validation Failed", documentationURL: documentationURL, issues: issues)
    }
}
