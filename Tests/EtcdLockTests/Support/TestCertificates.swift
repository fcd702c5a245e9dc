import EtcdLock
import Foundation

/// A CA, a server certificate for 127.0.0.1 and a client certificate for user root, made with the
/// openssl command in a directory of their own.
struct TestCertificates: Sendable {
    let directory: URL
    var ca: String { path("ca.crt") }
    var serverCertificate: String { path("server.crt") }
    var serverKey: String { path("server.key") }
    var clientCertificate: String { path("client.crt") }
    var clientKey: String { path("client.key") }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// TLS with this client certificate, trusting the CA at `caFile` (this CA's when not given).
    func clientTLS(trusting caFile: String? = nil) -> EtcdTLS {
        EtcdTLS(caFile: caFile ?? ca, clientCertificateFile: clientCertificate, clientKeyFile: clientKey)
    }

    static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let made = TestCertificates(directory: directory)
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(
            ["req", "-x509"] + key + ["-keyout", made.path("ca.key"), "-out", made.ca, "-days", "2", "-subj", "/CN=etcd-test-ca"])
        try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: directory.appendingPathComponent("server.ext"))
        for (name, subject, extensions) in [("server", "/CN=127.0.0.1", "server.ext"), ("client", "/CN=root", nil)] {
            try openssl(
                ["req"] + key + ["-keyout", made.path("\(name).key"), "-out", made.path("\(name).csr"), "-subj", subject])
            try openssl(
                [
                    "x509", "-req", "-in", made.path("\(name).csr"), "-CA", made.ca, "-CAkey", made.path("ca.key"),
                    "-CAcreateserial", "-out", made.path("\(name).crt"), "-days", "2",
                ]
                    + (extensions.map { ["-extfile", made.path($0)] } ?? []))
        }
        return made
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try EtcdServer.executable("openssl"))
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EtcdFixtureError("openssl \(arguments.joined(separator: " ")) failed")
        }
    }
}
