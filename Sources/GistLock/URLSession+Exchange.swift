import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSession {
    /// One request and its answer, like `data(for:)`, but safe to cancel while the answer arrives.
    ///
    /// FoundationNetworking's `data(for:)` cancels its task from inside the Swift task's cancellation
    /// handler, which waits on the session's queue while holding the task's status lock; if the answer
    /// is being delivered on that queue at the same moment, the delivery waits for the same lock and the
    /// process hangs (seen in the chaos run: a renew deadline cancelling a renewal as its answer came).
    /// Here the handler only starts the cancel from a task of its own, and the caller stops waiting at
    /// once.
    ///
    /// `timeout` is enforced here, to the millisecond: FoundationNetworking hands libcurl whole seconds,
    /// cut down, so 500ms would fail every request at once and 2.5s would end at 2s. Set the request's own
    /// `timeoutInterval` to `Duration.libcurlBackstop` of it.
    func exchange(_ request: URLRequest, timeout: Duration) async throws -> (Data, URLResponse) {
        let (answers, continuation) = AsyncThrowingStream<(Data, URLResponse), any Error>.makeStream()
        let task = dataTask(with: request) { data, response, error in
            if let error {
                continuation.finish(throwing: error)
            } else if let response {
                continuation.yield((data ?? Data(), response))
                continuation.finish()
            } else {
                continuation.finish(throwing: URLError(.badServerResponse))
            }
        }
        let timer = Task {
            try await Task.sleep(for: timeout)
            continuation.finish(throwing: URLError(.timedOut))
            task.cancel()
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            task.resume()
            for try await answer in answers {
                return answer
            }
            throw CancellationError()
        } onCancel: {
            Task.detached { task.cancel() }
        }
    }
}

extension Duration {
    /// Whole seconds above this duration, for libcurl's own timeout, so that it never ends a request
    /// before the exact timeout does.
    var libcurlBackstop: TimeInterval {
        (timeInterval + 1).rounded(.up)
    }
}
