import NIOCore
import NIOPosix

/// A loopback server that answers every request with 200 and `size` bytes, without a Content-Length
/// (the body ends when the connection closes), so only counting the bytes can refuse it.
struct OversizedAnswerServer: Sendable {
    let port: Int
    private let channel: any Channel

    static func start(size: Int) async throws -> OversizedAnswerServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(Answerer(size: size))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return OversizedAnswerServer(port: channel.localAddress?.port ?? 0, channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }

    final class Answerer: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let size: Int

        init(size: Int) { self.size = size }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var answer = context.channel.allocator.buffer(capacity: size + 100)
            answer.writeString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
            answer.writeRepeatingByte(UInt8(ascii: " "), count: size)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
