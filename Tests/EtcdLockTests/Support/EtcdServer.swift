import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real single-member etcd (Debian's `etcd-server`) on free loopback ports with a data directory of
/// its own, started for one test and stopped after it.
struct EtcdServer: Sendable {
    let clientURL: URL
    let directory: URL
    /// etcdctl's TLS flags when the member serves https.
    let clientFlags: [String]
    private let process: Process

    /// Runs `body` with a fresh etcd, stopping it and removing its data afterwards.
    static func with<T: Sendable>(tls: TestCertificates? = nil, _ body: (EtcdServer) async throws -> T) async throws -> T {
        let server = try await start(tls: tls)
        do {
            let result = try await body(server)
            server.stop()
            return result
        } catch {
            server.stop()
            throw error
        }
    }

    static func start(tls: TestCertificates? = nil) async throws -> EtcdServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let clientPort = try FreePort.take()
        let peerPort = try FreePort.take()
        let client = "\(tls == nil ? "http" : "https")://127.0.0.1:\(clientPort)"
        let peer = "http://127.0.0.1:\(peerPort)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable("etcd"))
        process.arguments = [
            "--name", "test", "--data-dir", directory.appendingPathComponent("data").path,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "test=\(peer)",
        ]
        var clientFlags: [String] = []
        if let tls {
            process.arguments! += [
                "--cert-file", tls.serverCertificate, "--key-file", tls.serverKey, "--trusted-ca-file", tls.ca,
                "--client-cert-auth",
            ]
            clientFlags = ["--cacert", tls.ca, "--cert", tls.clientCertificate, "--key", tls.clientKey]
        }
        let log = directory.appendingPathComponent("etcd.log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw EtcdFixtureError("cannot create \(log.path)")
        }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let server = EtcdServer(
            clientURL: URL(string: client)!, directory: directory, clientFlags: clientFlags, process: process)
        try await server.waitUntilServing()
        return server
    }

    /// Asks the member until it is healthy (it has a leader), for at most a minute on a loaded machine.
    private func waitUntilServing() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        if !clientFlags.isEmpty {
            while ContinuousClock.now < deadline {
                guard process.isRunning else { throw EtcdFixtureError("etcd exited at start: see \(directory.path)/etcd.log") }
                if (try? etcdctl(["get", "probe"])) != nil { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            stop()
            throw EtcdFixtureError("etcd did not serve within a minute")
        }
        // /health, not the gateway: the gateway's error answers (no leader yet) end with an HTTP trailer,
        // which stops a process that reads them through FoundationNetworking.
        var request = URLRequest(url: clientURL.appendingPathComponent("health"))
        request.timeoutInterval = 5
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw EtcdFixtureError("etcd exited at start: see \(directory.path)/etcd.log") }
            if let (body, response) = try? await URLSession.shared.data(for: request),
                (response as? HTTPURLResponse)?.statusCode == 200, String(decoding: body, as: UTF8.self).contains("true")
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        stop()
        throw EtcdFixtureError("etcd did not serve within a minute")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs etcdctl against this member; returns its standard output, throws with its error output.
    @discardableResult
    func etcdctl(_ arguments: [String], input: String? = nil) throws -> Data {
        try Self.etcdctl(["--endpoints", clientURL.absoluteString] + clientFlags + arguments, input: input)
    }

    static func etcdctl(_ arguments: [String], input: String? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable("etcdctl"))
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["ETCDCTL_API"] = "3"
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EtcdFixtureError("etcdctl \(arguments.joined(separator: " ")) failed: \(String(decoding: err, as: UTF8.self))")
        }
        return out
    }

    static func executable(_ name: String) throws -> String {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"]
        where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw EtcdFixtureError("\(name) is not installed: apt-get install -y etcd-server etcd-client (scripts/checks.sh does)")
    }
}

struct EtcdFixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
