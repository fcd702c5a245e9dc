import Foundation
import GistLock
import Logging

/// At start, logs how much of the token's GitHub budget is left. `GET /rate_limit` costs nothing,
/// and a failure here only warns: the lock was found usable just before.
enum RateLimitCheck {
    static func logBudget(_ client: GistClient, logger: Logger) async {
        do {
            let overview = try await client.rateLimitOverview()
            guard let core = overview.core else {
                logger.warning("GitHub's rate limit answer has no core budget")
                return
            }
            logger.info(
                "GitHub budget left",
                metadata: [
                    "remaining": "\(core.remaining)", "limit": "\(core.limit)", "used": "\(core.used)",
                    "reset": "\(core.reset.formatted(.iso8601))",
                ])
        } catch {
            logger.warning("cannot read GitHub's rate limit", metadata: ["error": "\(error)"])
        }
    }
}
