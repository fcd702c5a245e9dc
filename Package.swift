// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "multi-cluster-leader-election",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LeaderElection", targets: ["LeaderElection"]),
        .library(name: "LeaderElectionTestKit", targets: ["LeaderElectionTestKit"]),
        .library(name: "GistLock", targets: ["GistLock"]),
        .library(name: "GistServer", targets: ["GistServer"]),
        .library(name: "EtcdLock", targets: ["EtcdLock"]),
        .executable(name: "leader-election", targets: ["leader-election"]),
        .executable(name: "gist-server", targets: ["gist-server"]),
    ],
    // The etcd lock brings AsyncHTTPClient and its TLS stack (BoringSSL): more than half of a first debug
    // build. The app has it by default; `swift build --disable-default-traits` leaves it out, as the gist
    // demo's own build does (scripts/demo.sh).
    traits: [
        .trait(name: "Etcd", description: "The etcd lock (--lock etcd) in leader-election."),
        .default(enabledTraits: ["Etcd"]),
    ],
    // Exact versions, so the image builds from the versions the checks ran with (Package.resolved stays
    // out of git); move them forward together, then run make test.
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        // Without its default traits: swift-configuration is left out of the app's build.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", exact: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
    ],
    targets: [
        .target(
            name: "LeaderElection",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LeaderElectionTestKit",
            dependencies: ["LeaderElection"],
            swiftSettings: swiftSettings
        ),
        // The one escaper of text from servers, stores and users, for messages and log lines.
        .target(name: "TextEscaping", swiftSettings: swiftSettings),
        // SHA-1 for git object ids from the system's libcrypto (libssl-dev); CryptoKit on Apple platforms.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // A git smart-HTTP client (transport, protocol, objects) that knows nothing of gists.
        .target(
            name: "GitSmartHTTP",
            dependencies: [
                "TextEscaping",
                .target(name: "CLibCrypto", condition: .when(platforms: [.linux])),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GistLock",
            dependencies: [
                "LeaderElection",
                "GitSmartHTTP",
                "TextEscaping",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Without the Etcd trait an empty module: SwiftPM 6.3 builds and links a target whose dependent
        // guards it by trait all the same, so the guard is on its TLS stack and its sources (#if Etcd).
        .target(
            name: "EtcdLock",
            dependencies: [
                "LeaderElection",
                "TextEscaping",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client", condition: .when(traits: ["Etcd"])),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl", condition: .when(traits: ["Etcd"])),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GistServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "leader-election",
            dependencies: [
                "LeaderElection",
                "GistLock",
                "GitSmartHTTP",
                "EtcdLock",
                "TextEscaping",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "gist-server",
            dependencies: [
                "GistServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LeaderElectionTests",
            dependencies: [
                "LeaderElection",
                "LeaderElectionTestKit",
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GistLockTests",
            dependencies: [
                "GistLock", "GitSmartHTTP", "GistServer", "LeaderElectionTestKit",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EtcdLockTests",
            dependencies: [
                "EtcdLock", "LeaderElection", "LeaderElectionTestKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GistServerTests",
            dependencies: [
                "GistServer", "LeaderElectionTestKit", .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LeaderElectionAppTests",
            dependencies: [
                "leader-election",
                "LeaderElection",
                "EtcdLock",
                "LeaderElectionTestKit",
                "GistServer",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
