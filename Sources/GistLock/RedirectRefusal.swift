import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Stops URLSession from following redirects: the API answers JSON directly, so a redirect means a
/// wrong `--github-api-url`, and following it would carry the Authorization header to another place.
final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
