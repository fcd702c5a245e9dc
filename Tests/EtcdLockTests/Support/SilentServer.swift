import NIOCore
import NIOPosix

/// A loopback server that accepts connections and never answers; each accepted connection is reported.
struct SilentServer: Sendable {
    let port: Int
    /// One element per accepted connection.
    let connections: AsyncStream<Void>
    private let channel: any Channel

    static func start() async throws -> SilentServer {
        let (connections, continuation) = AsyncStream<Void>.makeStream()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { _ in
                continuation.yield()
                return MultiThreadedEventLoopGroup.singleton.any().makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return SilentServer(port: channel.localAddress?.port ?? 0, connections: connections, channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }
}
