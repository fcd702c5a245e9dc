import LeaderElection
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension GistClient {
    /// The newest REST version whose answers this client has been tested against.
    public static let defaultAPIVersion = "2026-03-10"
    /// The newest REST version whose `GET /gists/{id}` still carries `history`, whose first entry names
    /// the commit that git writes build on.
    public static let historyAPIVersion = "2022-11-28"

    /// `GET /rate_limit`: the budget left in each resource. GitHub does not count this request
    /// against the limit, so it is free to call at start.
    /// - Throws: `GitHubError` when GitHub cannot be reached or answers anything but 200 with a
    ///   rate-limit overview.
    public func rateLimitOverview() async throws -> RateLimitOverview {
        let url = apiURL.appendingPathComponent("rate_limit")
        let summary = summary("GET", url, .newGist)
        let (data, response) = try await send(summary, url: url, body: nil, ifNoneMatch: nil)
        do {
            guard response.statusCode == 200 else { throw RateLimitOverview.NotOK() }
            return try JSONDecoder().decode(RateLimitOverview.self, from: data)
        } catch {
            let reason = error is RateLimitOverview.NotOK ? "expected 200" : "not a rate-limit overview: \(decodingReason(error))"
            throw scrubbed(
                GitHubError.unexpected(
                    status: response.statusCode, response: response, body: data, request: summary, reason: reason))
        }
    }
}
