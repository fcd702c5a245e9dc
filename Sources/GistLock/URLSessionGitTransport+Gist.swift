public import Foundation
public import GitSmartHTTP

extension URLSessionGitTransport {
    /// A transport to a gist's repository (its `git_push_url`) that sends the lock's user agent.
    public static func gist(
        repository: URL, token: String, timeout: Duration = .seconds(10), plainHTTPHost: String? = nil,
        answerLimit: Int = URLSessionGitTransport.defaultAnswerLimit
    ) throws -> URLSessionGitTransport {
        try URLSessionGitTransport(
            repository: repository, token: token, userAgent: GitGistWriter.agent, timeout: timeout,
            plainHTTPHost: plainHTTPHost, answerLimit: answerLimit)
    }
}
