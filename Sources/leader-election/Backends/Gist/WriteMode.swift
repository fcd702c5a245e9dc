import Foundation
import GistLock
import GitSmartHTTP
import Logging

/// How the lock is written, as `--write-mode` asks.
enum WriteMode: String, CaseIterable, Sendable {
    /// git when the gist's repository takes the token's pushes at start, else REST.
    case auto
    /// Pushes only: the app stops at start if git refuses.
    case git
    /// PATCHes confirmed by a read-back.
    case rest
}

/// Decides at start whether the lock writes through git, by asking the gist's receive-pack for its
/// advertisement with the token, as a push would.
enum WriteModeCheck {
    /// The writer for the gist's repository, or `nil` for REST writes. In `auto` mode a refusal is
    /// logged once, with its reason and its fix; in `git` mode it stops the app.
    static func gitWriter(
        mode: WriteMode, client: GistClient, gistID: String, token: String, timeout: Duration, logger: Logger
    ) async throws -> GitGistWriter? {
        guard mode != .rest else { return nil }
        let refusal: String
        do {
            return try await probe(client: client, gistID: gistID, token: token, timeout: timeout)
        } catch let error as GitHubError where error.isPermanent {
            throw PermanentFailure(description: error.message)
        } catch let error as GitHubError {
            refusal = "reading gist \(gistID) failed: \(error.message)"
        } catch {
            refusal = "\(error)"
        }
        if mode == .git {
            throw PermanentFailure(description: "--write-mode git, but git cannot write gist \(gistID): \(refusal)")
        }
        let warning =
            "writing the lock through REST, whose compare-before-write relies on a read-back after a settle time, "
            + "because git cannot write gist \(gistID): \(refusal); give a token that may push to the gist "
            + "(a token with the gist scope), or pass --write-mode rest to choose REST knowingly"
        logger.warning(
            "\(warning)",
            metadata: ["write.mode": "rest"])
        return nil
    }

    private static func probe(client: GistClient, gistID: String, token: String, timeout: Duration) async throws -> GitGistWriter
    {
        guard case .modified(let gist, _) = try await client.getGist(gistID, ifNoneMatch: nil) else {
            throw GitProtocolError(.advertisement, "the gist's answer was a 304 to an unconditional read")
        }
        guard let pushURL = gist.gitPushURL, let url = URL(string: pushURL) else {
            throw GitProtocolError(.advertisement, "the gist's answer has no git_push_url")
        }
        try GitPushURLPolicy.check(url, apiURL: client.apiURL)
        guard gist.version != nil else {
            throw GitProtocolError(
                .advertisement,
                "the gist's answer has no history (API version \(client.apiVersion)), so no commit to push on; use --github-api-version 2022-11-28"
            )
        }
        let plainHTTPHost = client.apiURL.scheme?.lowercased() == "http" ? client.apiURL.host : nil
        let transport = try URLSessionGitTransport.gist(
            repository: url, token: token, timeout: timeout, plainHTTPHost: plainHTTPHost)
        let writer = GitGistWriter(transport: transport, wallClock: { Date() })
        try await writer.checkPushAccess()
        return writer
    }
}
