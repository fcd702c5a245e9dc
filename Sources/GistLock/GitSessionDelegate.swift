import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Refuses redirects (the token must stay with the repository's host) and cancels an auth challenge:
/// the token already travels in the Authorization header, so a challenge means it was refused, and
/// FoundationNetworking would otherwise wait for a credential that never comes.
final class GitSessionDelegate: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        completionHandler(.cancelAuthenticationChallenge, nil)
    }
}
