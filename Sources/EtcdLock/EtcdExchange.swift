import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange with a member: its own URLSession and delegate, so that the answer is bounded
/// while it arrives, no redirect is followed and nothing is cached.
///
/// FoundationNetworking follows redirects for tasks with a completion handler whatever the session's
/// delegate says, and collects their whole body before handing it over; a delegate of our own sees each
/// part. A session per exchange keeps the delegate's state its own; requests also carry
/// `Connection: close`, because libcurl silently sends a request again when a reused connection closes
/// without an answer, and a transaction sent twice would turn our own write into a conflict.
enum EtcdExchange {
    /// What arrived: the status and the body.
    struct Answer: Sendable {
        var status: Int
        var body: Data
        var location: String?
    }

    enum Failure: Error {
        /// No connection was made, so the request was never sent.
        case notSent(String)
        /// The request may have reached the member; no (complete) answer came.
        case unanswered(String)
        /// The answer was larger than the bound.
        case tooLarge(Int)
    }

    /// POSTs `body` to `url`, ending after `timeout` or on cancellation (then `CancellationError`).
    static func post(
        _ url: URL, body: Data, authorization: String?, timeout: Duration, maxAnswerBytes: Int
    ) async throws -> Answer {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalAndRemoteCacheData)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("close", forHTTPHeaderField: "Connection")
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        // libcurl's own timeout counts whole seconds, cut down; it only backs up the exact one below.
        request.timeoutInterval = (Double(timeout.components.seconds) + 2).rounded(.up)

        let (events, continuation) = AsyncThrowingStream<ExchangeDelegate.Event, any Error>.makeStream()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        configuration.httpShouldSetCookies = false
        configuration.httpCookieStorage = nil
        configuration.urlCredentialStorage = nil
        let session = URLSession(
            configuration: configuration, delegate: ExchangeDelegate(continuation), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request)
        let timer = Task {
            try await Task.sleep(for: timeout)
            continuation.finish(throwing: Failure.unanswered("no answer within \(timeout)"))
            task.cancel()
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            task.resume()
            var status: Int?
            var location: String?
            var received = Data()
            do {
                for try await event in events {
                    switch event {
                    case .response(let code, let length, let redirect):
                        status = code
                        location = redirect
                        if length > maxAnswerBytes {
                            task.cancel()
                            throw Failure.tooLarge(maxAnswerBytes)
                        }
                    case .data(let part):
                        received.append(part)
                        if received.count > maxAnswerBytes {
                            task.cancel()
                            throw Failure.tooLarge(maxAnswerBytes)
                        }
                    }
                }
            } catch let error as URLError {
                if Task.isCancelled { throw CancellationError() }
                throw classify(error)
            }
            try Task.checkCancellation()
            guard let status else { throw Failure.unanswered("the connection ended without an answer") }
            return Answer(status: status, body: received, location: location)
        } onCancel: {
            continuation.finish(throwing: CancellationError())
            // Cancelled from a task of its own: FoundationNetworking's cancel waits on the session's
            // queue, which may be delivering the answer at this moment.
            Task.detached { task.cancel() }
        }
    }

    /// Failures before a connection exists cannot have delivered the request.
    private static func classify(_ error: URLError) -> Failure {
        switch error.code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet,
            .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
            .clientCertificateRequired, .unsupportedURL, .badURL:
            return .notSent(error.localizedDescription)
        case .timedOut:
            return .unanswered("no answer within the timeout")
        default:
            return .unanswered(error.localizedDescription)
        }
    }
}

/// Passes the answer's parts on as they arrive, refuses redirects and cancels auth challenges (the
/// token travels in the Authorization header; a challenge would wait for a credential never given).
final class ExchangeDelegate: NSObject, URLSessionDataDelegate, Sendable {
    enum Event: Sendable {
        case response(status: Int, expectedLength: Int64, location: String?)
        case data(Data)
    }

    private let continuation: AsyncThrowingStream<Event, any Error>.Continuation

    init(_ continuation: AsyncThrowingStream<Event, any Error>.Continuation) {
        self.continuation = continuation
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        let http = response as? HTTPURLResponse
        continuation.yield(
            .response(
                status: http?.statusCode ?? 0, expectedLength: response.expectedContentLength,
                location: http?.value(forHTTPHeaderField: "Location")))
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        continuation.yield(.data(data))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error {
            continuation.finish(throwing: (error as? URLError) ?? URLError(.unknown))
        } else {
            continuation.finish()
        }
    }

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
