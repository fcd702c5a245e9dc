import NIOCore
import NIOPosix

/// A loopback port nothing listens on: bound by the kernel's choice, then released.
enum FreePort {
    static func take() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress?.port ?? 0
        try channel.close().wait()
        return port
    }
}
