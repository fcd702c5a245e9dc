import Foundation

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
    /// Methods to hit, e.g. `["PATCH"]`; absent means all.
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
    /// Wait this long before answering (or before handling, when there is no status).
    public var latencyMs: Int?
    /// Retry-After seconds to send with the status; with 403 or 429 the answer is a secondary rate limit.
    public var retryAfter: Int?
    /// Message of the injected body; a default per status otherwise.
    public var message: String?

    /// Creates a fault; every part is optional.
    public init(
        status: Int? = nil, count: Int? = nil, methods: [String]? = nil, path: String? = nil, token: String? = nil,
        client: String? = nil, userAgent: String? = nil, latencyMs: Int? = nil, retryAfter: Int? = nil,
        message: String? = nil
    ) {
        self.status = status
        self.count = count
        self.methods = methods
        self.path = path
        self.token = token
        self.client = client
        self.userAgent = userAgent
        self.latencyMs = latencyMs
        self.retryAfter = retryAfter
        self.message = message
    }

    /// Whether a request with these properties is one this fault hits.
    func matches(_ request: FaultTarget) -> Bool {
        if let methods, !methods.contains(where: { $0.caseInsensitiveCompare(request.method) == .orderedSame }) { return false }
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
        if let retryAfter, retryAfter < 0 { return "retryAfter must not be negative" }
        if status == nil && latencyMs == nil { return "give status, latencyMs or both" }
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
}

/// The faults in force; each matching request takes one use of the first fault it matches.
actor FaultInjector {
    private var faults: [Fault] = []

    /// Adds a fault after those already in force.
    func add(_ fault: Fault) {
        faults.append(fault)
    }

    /// Removes every fault.
    func clear() {
        faults.removeAll()
    }

    /// The faults in force, with their remaining counts.
    func list() -> [Fault] {
        faults
    }

    /// The fault that hits this request, if any, counting one use of it.
    func take(for target: FaultTarget) -> Fault? {
        guard let index = faults.firstIndex(where: { $0.matches(target) }) else {
            return nil
        }
        let fault = faults[index]
        if let count = fault.count {
            if count <= 1 { faults.remove(at: index) } else { faults[index].count = count - 1 }
        }
        return fault
    }
}
