import Foundation
import Hummingbird

/// A fault the server injects into matching requests, posted to `POST /_gist-server/faults` as JSON,
/// e.g. `{"status":503,"count":3,"methods":["PATCH"],"latencyMs":200,"retryAfter":5}`.
///
/// Every field is optional: the match fields narrow which requests are hit, the effect fields say
/// what happens to them. New kinds of fault are new optional fields.
public struct Fault: Codable, Sendable, Equatable {
    /// Answer with this status (and a GitHub-shaped body) instead of handling the request.
    public var status: Int?
    /// How many matching requests to hit; absent means every one until the faults are cleared.
    public var count: Int?
    /// Methods to hit, e.g. `["PATCH"]`; absent means all (stale reads hit only GET).
    public var methods: [String]?
    /// Path prefix to hit, e.g. `/gists/abc`; absent means all GitHub routes.
    public var path: String?
    /// Label of the token whose requests are hit (`anonymous` for none); absent means all callers.
    public var token: String?
    /// Client IP address whose requests are hit; absent means all addresses.
    public var client: String?
    /// Text the User-Agent must contain for a request to be hit (copies of an app can be told apart
    /// by their User-Agent when they share a token and an address); absent means all.
    public var userAgent: String?
    /// Wait this long before answering (or before handling, when there is no status): a write delayed
    /// this way still lands after its client gave up. With `blackhole: hold`, how long to hold.
    public var latencyMs: Int?
    /// Handle the request (a write lands at once), then wait this long before answering: a slow
    /// write whose client times out although it succeeded.
    public var responseDelayMs: Int?
    /// Answer nothing: `drop` closes the connection at once, `hold` keeps it open without a word for
    /// `latencyMs` (60 s when absent) and then closes it. The request is never handled.
    public var blackhole: Blackhole?
    /// Answer GET with the gist as it was this many revisions ago (a lagging replica).
    public var staleRevisions: Int?
    /// Answer GET with the gist as it was at this version (a replica frozen at that version).
    public var serveVersion: String?
    /// Retry-After seconds to send with the status; with 403 or 429 the answer is a secondary rate limit.
    public var retryAfter: Int?
    /// Message of the injected body; a default per status otherwise.
    public var message: String?

    /// How a blackholed request ends.
    public enum Blackhole: String, Codable, Sendable {
        /// Close the connection at once, without an answer.
        case drop
        /// Keep the connection open without an answer, then close it.
        case hold
    }

    /// Creates a fault; every part is optional.
    public init(
        status: Int? = nil, count: Int? = nil, methods: [String]? = nil, path: String? = nil, token: String? = nil,
        client: String? = nil, userAgent: String? = nil, latencyMs: Int? = nil, responseDelayMs: Int? = nil,
        blackhole: Blackhole? = nil, staleRevisions: Int? = nil, serveVersion: String? = nil,
        retryAfter: Int? = nil, message: String? = nil
    ) {
        self.status = status
        self.count = count
        self.methods = methods
        self.path = path
        self.token = token
        self.client = client
        self.userAgent = userAgent
        self.latencyMs = latencyMs
        self.responseDelayMs = responseDelayMs
        self.blackhole = blackhole
        self.staleRevisions = staleRevisions
        self.serveVersion = serveVersion
        self.retryAfter = retryAfter
        self.message = message
    }

    /// The older view a GET should get, if this is a stale-read fault.
    var staleness: Staleness? {
        if let serveVersion { return .version(serveVersion.lowercased()) }
        if let staleRevisions { return .revisionsBack(staleRevisions) }
        return nil
    }

    /// Whether a request with these properties is one this fault hits.
    func matches(_ request: FaultTarget) -> Bool {
        if let methods, !methods.contains(where: { $0.caseInsensitiveCompare(request.method) == .orderedSame }) { return false }
        if staleness != nil, request.method.uppercased() != "GET" { return false }
        if let path, !request.path.hasPrefix(path) { return false }
        if let token, token != request.tokenLabel { return false }
        if let client, client != request.clientAddress { return false }
        if let userAgent, !(request.userAgent ?? "").contains(userAgent) { return false }
        return true
    }

    /// The reason a posted fault cannot be used, or `nil` when it can.
    var problem: String? {
        if let status, !(400...599).contains(status) { return "status must be 400...599" }
        if let count, count < 1 { return "count must be at least 1" }
        if let latencyMs, latencyMs < 0 { return "latencyMs must not be negative" }
        if let responseDelayMs, responseDelayMs < 0 { return "responseDelayMs must not be negative" }
        if let retryAfter, retryAfter < 0 { return "retryAfter must not be negative" }
        if let staleRevisions, staleRevisions < 1 { return "staleRevisions must be at least 1" }
        if let serveVersion, serveVersion.count < 7 || !serveVersion.allSatisfy(\.isHexDigit) {
            return "serveVersion must be a version id (at least 7 hex digits)"
        }
        if staleRevisions != nil && serveVersion != nil { return "give staleRevisions or serveVersion, not both" }
        if blackhole != nil && (status != nil || responseDelayMs != nil || staleness != nil) {
            return "a blackhole answers nothing: give it no status, responseDelayMs or stale view"
        }
        if status != nil && staleness != nil { return "a stale read answers the gist: give it no status" }
        if status == nil && latencyMs == nil && responseDelayMs == nil && blackhole == nil && staleness == nil {
            return "give status, latencyMs, responseDelayMs, blackhole, staleRevisions or serveVersion"
        }
        return nil
    }
}

/// What a fault can be matched on.
struct FaultTarget: Sendable {
    var method: String
    var path: String
    var tokenLabel: String
    var clientAddress: String
    var userAgent: String?

    /// What a request can be matched on.
    init(_ request: Request, credential: Credential, context: GistRequestContext) {
        method = request.method.rawValue
        path = request.uri.path
        tokenLabel = credential.label
        clientAddress = context.clientAddress
        userAgent = request.headers[.userAgent]
    }
}
