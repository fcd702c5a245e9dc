import Hummingbird
import Logging
import NIOCore

extension FaultingMiddleware {
    /// Answers nothing, as a lost network path would: closes the connection at once (`drop`), or
    /// after holding it silent for `holdMs` (`hold`, 60 s by default). The request is never handled.
    func blackhole(_ mode: Fault.Blackhole, holdMs: Int?, context: GistRequestContext) async -> Response {
        if mode == .hold {
            try? await parts.clock.sleep(for: .milliseconds(holdMs ?? 60_000))
        }
        context.logger.debug("blackholed a request", metadata: ["mode": "\(mode.rawValue)"])
        context.channel.close(promise: nil)
        // Never delivered: the connection is closed before it could be written.
        return Response(status: .serviceUnavailable)
    }
}
