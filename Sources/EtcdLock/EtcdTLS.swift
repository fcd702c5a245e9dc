import Foundation

/// TLS files for `https://` endpoints, as far as URLSession can honour them.
///
/// On Linux, FoundationNetworking gives a URLSession no trust anchors of its own and no client
/// identity: libcurl verifies every server against the system bundle
/// (`/etc/ssl/certs/ca-certificates.crt`), and there is no API to present a client certificate. So:
/// - `caFile` is accepted only when each of its certificates is already in the system bundle, which is
///   then what verifies etcd; otherwise the lock refuses to start and says how to add the CA
///   (`update-ca-certificates`).
/// - A client certificate and key are refused with that reason: use etcd's user name and password
///   authentication (`EtcdCredentials`) over TLS instead.
public struct EtcdTLS: Sendable, Equatable {
    /// PEM file of the CA that signed the members' certificates.
    public var caFile: String?
    /// PEM client certificate; cannot be presented through URLSession on Linux (see above).
    public var clientCertificateFile: String?
    /// PEM key of the client certificate.
    public var clientKeyFile: String?

    public init(caFile: String? = nil, clientCertificateFile: String? = nil, clientKeyFile: String? = nil) {
        self.caFile = caFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
    }

    /// The bundle FoundationNetworking hands libcurl on Debian and most Linux distributions.
    public static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    /// Throws `EtcdConfigurationError` for a setting this platform's URLSession cannot honour.
    func validate(systemBundle: String = Self.systemBundle) throws {
        if clientCertificateFile != nil || clientKeyFile != nil {
            throw EtcdConfigurationError(
                "an etcd client certificate cannot be used: URLSession on Linux (FoundationNetworking) has no way "
                    + "to present one; authenticate with an etcd user name and password over TLS instead, "
                    + "and drop the client certificate and key")
        }
        guard let caFile else { return }
        let wanted = try Self.certificates(inFile: caFile, what: "the etcd CA file")
        if wanted.isEmpty {
            throw EtcdConfigurationError("the etcd CA file \(caFile) holds no PEM certificate: give the CA's PEM file")
        }
        let trusted = (try? Self.certificates(inFile: systemBundle, what: "the system trust store")) ?? []
        if !wanted.isSubset(of: trusted) {
            throw EtcdConfigurationError(
                "the etcd CA in \(caFile) is not in the system trust store (\(systemBundle)), the only one URLSession "
                    + "on Linux verifies servers with: copy it to /usr/local/share/ca-certificates/etcd-ca.crt and run "
                    + "update-ca-certificates (in an image: at build time), then start again")
        }
    }

    /// The certificates of a PEM file, each as its base64 body without line breaks.
    static func certificates(inFile path: String, what: String) throws -> Set<String> {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw EtcdConfigurationError("cannot read \(what) \(path): check the path and its permissions")
        }
        return certificates(inPEM: text)
    }

    static func certificates(inPEM text: String) -> Set<String> {
        var found: Set<String> = []
        var body: String?
        for line in text.split(whereSeparator: \.isNewline) {
            let line = line.trimmingCharacters(in: .whitespaces)
            if line == "-----BEGIN CERTIFICATE-----" {
                body = ""
            } else if line == "-----END CERTIFICATE-----" {
                if let body, !body.isEmpty { found.insert(body) }
                body = nil
            } else if body != nil {
                body? += line
            }
        }
        return found
    }
}
