import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// What the streaming server did with one answer: the bytes of body it wrote before the body ended
/// or the client went away.
struct StreamedAnswer: Sendable {
    let sent: Int
}

/// Serves every request on 127.0.0.1 with 200, `contentType` and a body of `total` bytes written in
/// 64 KB pieces as the connection takes them, announced in `Content-Length` when `announce`, chunked
/// otherwise. `body` gets the server's URL and a stream with one `StreamedAnswer` per answer, sent
/// when that answer's body ended: the count stops near what the client read when the client hangs up.
func withStreamingServer<T: Sendable>(
    total: Int, announce: Bool, contentType: String = "application/json",
    _ body: @Sendable (URL, AsyncStream<StreamedAnswer>) async throws -> T
) async throws -> T {
    let (answers, report) = AsyncStream<StreamedAnswer>.makeStream()
    let piece = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 << 10)
    let responder = CallbackResponder<BasicRequestContext> { request, _ in
        _ = try await request.body.collect(upTo: 1 << 20)
        return Response(
            status: .ok, headers: [.contentType: contentType],
            body: ResponseBody(contentLength: announce ? total : nil) { writer in
                var sent = 0
                do {
                    while sent < total {
                        let next = piece.getSlice(at: 0, length: min(piece.readableBytes, total - sent))!
                        try await writer.write(next)
                        sent += next.readableBytes
                    }
                    try await writer.finish(nil)
                } catch {
                    report.yield(StreamedAnswer(sent: sent))
                    throw error
                }
                report.yield(StreamedAnswer(sent: sent))
            })
    }
    var logger = Logger(label: "streaming-server")
    logger.logLevel = .critical
    let app = Application(responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    return try await app.test(.live) { client in
        try await body(URL(string: "http://127.0.0.1:\(client.port!)")!, answers)
    }
}

extension AsyncStream {
    /// The next element; `nil` once the stream ended.
    func nextElement() async -> Element? {
        var iterator = makeAsyncIterator()
        return await iterator.next()
    }
}
