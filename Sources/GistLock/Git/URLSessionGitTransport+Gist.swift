public import Foundation
public import GitSmartHTTP

extension URLSessionGitTransport {
    /// A transport to a gist's repository (its `git_push_url`) that sends the lock's user agent and
    /// words its errors for a gist. Plain HTTP is allowed to a loopback host, and to `plainHTTPHost`: the
    /// host of an API URL that was itself given as plain HTTP, so the token goes nowhere over plain HTTP
    /// that REST does not send it already.
    public static func gist(
        repository: URL, token: String, timeout: Duration = .seconds(10), plainHTTPHost: String? = nil,
        answerLimit: Int = URLSessionGitTransport.defaultAnswerLimit
    ) throws -> URLSessionGitTransport {
        try URLSessionGitTransport(
            repository: repository, token: token, userAgent: GitGistWriter.agent, advice: .gist, timeout: timeout,
            plainHTTPHost: plainHTTPHost, answerLimit: answerLimit)
    }
}
