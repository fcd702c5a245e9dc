#if canImport(FoundationNetworking)
import Foundation
package import FoundationNetworking
#else
package import Foundation
#endif
import Synchronization

/// The delegate of a session that `URLSession.exchange` uses: it collects each answer's body up to the
/// exchange's bound and cuts off the rest, refuses redirects, and may cancel auth challenges. Make the
/// session with `URLSession.bounded(configuration:cancelsAuthChallenges:)`, which runs these callbacks
/// inline on FoundationNetworking's work queue (see `InlineDelegateQueue`): none of them may block.
///
/// Redirects are never followed: the API answers JSON and the git server its own protocol directly,
/// so a redirect means a wrong address, and following it would carry the Authorization header to
/// another place. With `cancelsAuthChallenges` (git), a challenge is cancelled: the token already
/// travels in the Authorization header, so a challenge means it was refused, and FoundationNetworking
/// would otherwise wait for a credential that never comes.
final class ExchangeDelegate: NSObject, URLSessionDataDelegate, Sendable {
    /// One answer being received.
    private struct Pending {
        let limit: Int
        let continuation: AsyncThrowingStream<(Data, URLResponse), any Error>.Continuation
        var response: URLResponse?
        var body = Data()
    }

    private let cancelsAuthChallenges: Bool
    /// By task identifier. Delegate callbacks come on the session's work queue, `expect` and `forget`
    /// from the exchanging task; the mutex is held only to read or change an entry, never across a call out.
    private let pending = Mutex<[Int: Pending]>([:])

    init(cancelsAuthChallenges: Bool) {
        self.cancelsAuthChallenges = cancelsAuthChallenges
    }

    /// Delivers `task`'s answer, or its failure, to `continuation`; a body beyond `limit` bytes fails it
    /// with `AnswerTooLarge`.
    func expect(
        _ task: URLSessionTask, limit: Int, _ continuation: AsyncThrowingStream<(Data, URLResponse), any Error>.Continuation
    ) {
        pending.withLock { $0[task.taskIdentifier] = Pending(limit: limit, continuation: continuation) }
    }

    /// Drops whatever `task` still holds; anything it receives later is ignored.
    func forget(_ task: URLSessionTask) {
        _ = pending.withLock { $0.removeValue(forKey: task.taskIdentifier) }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        let refused: Pending? = pending.withLock { pending in
            guard var entry = pending[dataTask.taskIdentifier] else { return nil }
            if response.expectedContentLength > Int64(entry.limit) {
                return pending.removeValue(forKey: dataTask.taskIdentifier)
            }
            entry.response = response
            pending[dataTask.taskIdentifier] = entry
            return nil
        }
        if let refused {
            refused.continuation.finish(
                throwing: AnswerTooLarge(
                    limit: refused.limit, announced: response.expectedContentLength,
                    status: (response as? HTTPURLResponse)?.statusCode))
            // FoundationNetworking ignores the disposition of a session delegate, so the task is
            // cancelled outright; otherwise libcurl would go on reading the whole body.
            completionHandler(.cancel)
            cancelOffQueue(dataTask)
        } else {
            completionHandler(.allow)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let refused: Pending? = pending.withLock { pending in
            guard var entry = pending.removeValue(forKey: dataTask.taskIdentifier) else { return nil }
            guard entry.body.count + data.count <= entry.limit else { return entry }
            entry.body.append(data)
            pending[dataTask.taskIdentifier] = entry
            return nil
        }
        if let refused {
            refused.continuation.finish(
                throwing: AnswerTooLarge(
                    limit: refused.limit, announced: nil, status: (refused.response as? HTTPURLResponse)?.statusCode))
            cancelOffQueue(dataTask)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let entry = pending.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if let error {
            entry.continuation.finish(throwing: error)
        } else if let response = entry.response ?? task.response {
            entry.continuation.yield((entry.body, response))
            entry.continuation.finish()
        } else {
            entry.continuation.finish(throwing: URLError(.badServerResponse))
        }
    }

    /// Cancels `task` from a task of its own: `URLSessionTask.cancel` waits for the session's work queue
    /// (in Swift 6.3's FoundationNetworking), which is where these callbacks run. Until the cancel
    /// lands, whatever libcurl still reads for the task is dropped as it comes, since it is no longer
    /// pending.
    private func cancelOffQueue(_ task: URLSessionTask) {
        Task.detached { task.cancel() }
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
        // Answered from a task of its own: both answers may wait for the work queue this runs on (a
        // cancel, or the suspend FoundationNetworking's default handling does with a stored credential).
        let disposition: URLSession.AuthChallengeDisposition =
            cancelsAuthChallenges ? .cancelAuthenticationChallenge : .performDefaultHandling
        Task.detached { completionHandler(disposition, nil) }
    }
}

/// The delegate queue of a `URLSession.bounded` session: it runs each delegate call at once, on the
/// thread that hands it over, which for the body is FoundationNetworking's work queue, where libcurl's
/// callbacks run.
///
/// FoundationNetworking hands each piece of a body to the delegate queue and goes on reading; on a
/// queue of its own the pieces wait in memory until the delegate takes them, and libcurl reads far
/// faster than they are taken, so a refusal came only after most of the answer had been read (a
/// chunked 200 MB answer took the app to 263 MB). Run inline, libcurl reads the next piece only once
/// the delegate has kept or dropped this one, so what the app holds stays within the bound.
final class InlineDelegateQueue: OperationQueue, @unchecked Sendable {
    override func addOperation(_ block: @escaping @Sendable () -> Void) {
        block()
    }

    override func addOperation(_ operation: Operation) {
        operation.start()
    }
}

extension URLSession {
    /// A session for `exchange(_:timeout:limit:)`: an `ExchangeDelegate` on an `InlineDelegateQueue`.
    package static func bounded(configuration: URLSessionConfiguration, cancelsAuthChallenges: Bool) -> URLSession {
        URLSession(
            configuration: configuration, delegate: ExchangeDelegate(cancelsAuthChallenges: cancelsAuthChallenges),
            delegateQueue: InlineDelegateQueue())
    }
}
