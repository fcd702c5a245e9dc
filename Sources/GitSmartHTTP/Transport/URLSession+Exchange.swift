package import Foundation
#if canImport(FoundationNetworking)
package import FoundationNetworking
#endif

extension URLSession {
    /// One request and its answer, like `data(for:)`, but safe to cancel while the answer arrives, and
    /// refused once the answer's body exceeds `limit` bytes.
    ///
    /// FoundationNetworking's `data(for:)` cancels its task from inside the Swift task's cancellation
    /// handler, which waits on the session's queue while holding the task's status lock; if the answer
    /// is being delivered on that queue at the same moment, the delivery waits for the same lock and the
    /// process hangs (seen in the chaos run: a renew deadline cancelling a renewal as its answer came).
    /// Here the handler only starts the cancel from a task of its own, and the caller stops waiting at
    /// once.
    ///
    /// A completion-handler task would buffer the whole body before anyone could look at it (a 200 MB
    /// answer took the app to 1.2 GB), so the body arrives through the session's `ExchangeDelegate`
    /// instead, piece by piece as libcurl reads it: an answer whose `Content-Length` announces more than
    /// `limit` is refused before its body is read, and one without (chunked) is cut off at the first
    /// piece past `limit`. Either throws `AnswerTooLarge`. The session's `InlineDelegateQueue` keeps
    /// libcurl from reading ahead of the delegate, so the memory an answer takes stays within `limit`
    /// and one piece.
    ///
    /// `timeout` is enforced here, to the millisecond: FoundationNetworking hands libcurl whole seconds,
    /// cut down, so 500ms would fail every request at once and 2.5s would end at 2s. Set the request's own
    /// `timeoutInterval` to `Duration.libcurlBackstop` of it.
    ///
    /// The session must have been made by `URLSession.bounded`.
    package func exchange(_ request: URLRequest, timeout: Duration, limit: Int) async throws -> (Data, URLResponse) {
        guard let receiver = delegate as? ExchangeDelegate, delegateQueue is InlineDelegateQueue else {
            preconditionFailure("exchange(_:timeout:limit:) needs a session made by URLSession.bounded")
        }
        let (answers, continuation) = AsyncThrowingStream<(Data, URLResponse), any Error>.makeStream()
        let task = dataTask(with: request)
        receiver.expect(task, limit: limit, continuation)
        let timer = Task {
            try await Task.sleep(for: timeout)
            continuation.finish(throwing: URLError(.timedOut))
            task.cancel()
        }
        defer {
            timer.cancel()
            receiver.forget(task)
        }
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

/// An answer whose body exceeds the exchange's bound; it was cut off, never read whole.
package struct AnswerTooLarge: Error, Sendable, Equatable {
    /// The bound, in bytes.
    package let limit: Int
    /// The length the answer announced in `Content-Length`; `nil` when it announced none and was cut off
    /// after more than `limit` bytes.
    package let announced: Int64?
    /// The answer's HTTP status.
    package let status: Int?

    /// "announces 209715200 bytes" or "sent more than 10485760 bytes".
    package var what: String {
        announced.map { "announces \($0) bytes in Content-Length" } ?? "sent more than \(limit) bytes"
    }

    /// The bound as people read it: "10 MB".
    package var bound: String { byteCount(limit) }
}

/// A byte count in whole MB (of 2^20 bytes) where it is one, else in bytes.
func byteCount(_ bytes: Int) -> String {
    bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
}

extension Duration {
    /// Whole seconds above this duration, for libcurl's own timeout, so that it never ends a request
    /// before the exact timeout does.
    package var libcurlBackstop: TimeInterval {
        (Double(components.seconds) + Double(components.attoseconds) / 1e18 + 1).rounded(.up)
    }
}
