import NIOCore
import NIOPosix
import Synchronization

/// A loopback TCP proxy in front of etcd that can lose the answer to the next transaction: the request
/// reaches etcd and is applied, and when etcd's answer arrives the proxy closes the client's connection
/// instead of passing it on, as a network failure after the write would.
struct AnswerDroppingProxy: Sendable {
    let port: Int
    private let channel: any Channel
    private let armed: Armed

    final class Armed: Sendable {
        let dropNextTransactionAnswer = Atomic<Bool>(false)
    }

    static func start(upstreamPort: Int) async throws -> AnswerDroppingProxy {
        let armed = Armed()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                let connection = ConnectionState()
                return ClientBootstrap(group: child.eventLoop)
                    .channelInitializer { upstream in
                        upstream.eventLoop.makeCompletedFuture {
                            try upstream.pipeline.syncOperations.addHandler(Upstream(client: child, connection: connection))
                        }
                    }
                    .connect(host: "127.0.0.1", port: upstreamPort)
                    .flatMapThrowing { upstream in
                        try child.pipeline.syncOperations.addHandler(
                            Downstream(upstream: upstream, connection: connection, armed: armed))
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return AnswerDroppingProxy(port: channel.localAddress?.port ?? 0, channel: channel, armed: armed)
    }

    /// The next transaction request is passed on, and its answer dropped with the connection.
    func dropNextTransactionAnswer() {
        armed.dropNextTransactionAnswer.store(true, ordering: .sequentiallyConsistent)
    }

    func stop() async {
        try? await channel.close()
    }

    final class ConnectionState: Sendable {
        let dropAnswer = Atomic<Bool>(false)
    }

    /// From the client to etcd.
    final class Downstream: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let upstream: any Channel
        let connection: ConnectionState
        let armed: Armed

        init(upstream: any Channel, connection: ConnectionState, armed: Armed) {
            self.upstream = upstream
            self.connection = connection
            self.armed = armed
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            if String(buffer: buffer).hasPrefix("POST /v3/kv/txn"),
                armed.dropNextTransactionAnswer.compareExchange(
                    expected: true, desired: false, ordering: .sequentiallyConsistent
                ).exchanged
            {
                connection.dropAnswer.store(true, ordering: .sequentiallyConsistent)
            }
            upstream.writeAndFlush(buffer, promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            upstream.close(promise: nil)
        }
    }

    /// From etcd back to the client, unless the answer is to be lost.
    final class Upstream: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let client: any Channel
        let connection: ConnectionState

        init(client: any Channel, connection: ConnectionState) {
            self.client = client
            self.connection = connection
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if connection.dropAnswer.load(ordering: .sequentiallyConsistent) {
                client.close(promise: nil)
                context.close(promise: nil)
                return
            }
            client.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            client.close(promise: nil)
        }
    }
}
