// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
import NIOSSL

/// TLS for `https://` endpoints: the CA that signed the members' certificates (the system trust store
/// when not given) and an optional client certificate and key, all PEM files, read when the lock is made.
public struct EtcdTLS: Sendable, Equatable {
    /// PEM file of the CA that signed the members' certificates; `nil` trusts the system store.
    public var caFile: String?
    /// PEM client certificate (chain), for members started with `--client-cert-auth`.
    public var clientCertificateFile: String?
    /// PEM key of the client certificate.
    public var clientKeyFile: String?

    public init(caFile: String? = nil, clientCertificateFile: String? = nil, clientKeyFile: String? = nil) {
        self.caFile = caFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
    }

    /// The client configuration, or `EtcdConfigurationError` naming the file that cannot be used.
    func configuration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            let roots = try Self.load("the etcd CA file", caFile) { try NIOSSLCertificate.fromPEMFile(caFile) }
            if roots.isEmpty {
                throw EtcdConfigurationError("the etcd CA file \(caFile) holds no PEM certificate: give the CA's PEM file")
            }
            configuration.trustRoots = .certificates(roots)
        }
        switch (clientCertificateFile, clientKeyFile) {
        case (nil, nil):
            break
        case (let certificate?, let key?):
            let chain = try Self.load("the etcd client certificate", certificate) {
                try NIOSSLCertificate.fromPEMFile(certificate)
            }
            if chain.isEmpty {
                throw EtcdConfigurationError(
                    "the etcd client certificate \(certificate) holds no PEM certificate: give the client certificate's PEM file")
            }
            let privateKey = try Self.load("the etcd client key", key) { try NIOSSLPrivateKey(file: key, format: .pem) }
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(privateKey)
        case (_?, nil):
            throw EtcdConfigurationError("an etcd client certificate was given without its key: give the key's PEM file too")
        case (nil, _?):
            throw EtcdConfigurationError(
                "an etcd client key was given without its certificate: give the certificate's PEM file too")
        }
        return configuration
    }

    private static func load<T>(_ what: String, _ path: String, _ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch {
            throw EtcdConfigurationError(
                "cannot use \(what) \(path) (\(error)): check the path, its permissions and that it is PEM")
        }
    }
}
#endif
