// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
public import Foundation
import NIOSSL

/// Where and how `EtcdLock` reaches etcd.
public struct EtcdConfiguration: Sendable {
    /// The members' client URLs (`http://host:2379` or `https://...`); a call goes to the next when one fails.
    public var endpoints: [URL]
    /// Keys are `<prefix>/<election>`.
    public var prefix: String
    /// How long one HTTP request to one member may take.
    public var requestTimeout: Duration
    /// etcd user name and password, when the cluster has authentication enabled.
    public var credentials: EtcdCredentials?
    /// TLS files for `https://` endpoints.
    public var tls: EtcdTLS?
    /// The largest answer accepted from a member; a record is a few hundred bytes, etcd's largest value 1.5 MiB.
    public var maxAnswerBytes: Int

    /// The default key prefix.
    public static let defaultPrefix = "/leader-election"

    public init(
        endpoints: [URL], prefix: String = Self.defaultPrefix, requestTimeout: Duration = .seconds(5),
        credentials: EtcdCredentials? = nil, tls: EtcdTLS? = nil, maxAnswerBytes: Int = 4 << 20
    ) {
        self.endpoints = endpoints
        self.prefix = prefix
        self.requestTimeout = requestTimeout
        self.credentials = credentials
        self.tls = tls
        self.maxAnswerBytes = maxAnswerBytes
    }

    /// The key of an election's record: the prefix without trailing slashes, a slash, the election.
    public func key(election: String) -> String {
        var base = prefix
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/\(election)"
    }

    /// Throws `EtcdConfigurationError` naming the bad setting and its fix; returns the TLS configuration
    /// for `https://` endpoints.
    func validate(election: String) throws -> TLSConfiguration? {
        if endpoints.isEmpty {
            throw EtcdConfigurationError(
                "no etcd endpoint given: give at least one member's client URL, such as http://127.0.0.1:2379")
        }
        for endpoint in endpoints {
            guard let scheme = endpoint.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let host = endpoint.host, !host.isEmpty
            else {
                throw EtcdConfigurationError(
                    "etcd endpoint \(endpoint.absoluteString) is not an http:// or https:// URL with a host: give a "
                        + "member's client URL, such as http://127.0.0.1:2379")
            }
            if endpoint.user != nil || endpoint.password != nil {
                throw EtcdConfigurationError(
                    "etcd endpoint \(endpoint.host ?? "") carries a user or password in its URL: give the credentials "
                        + "separately, so that they are never printed")
            }
        }
        if election.isEmpty || election.contains("/") {
            throw EtcdConfigurationError("election name \"\(election)\" must be non-empty and without \"/\": give a plain name")
        }
        if requestTimeout <= .zero {
            throw EtcdConfigurationError("the etcd request timeout must be positive, not \(requestTimeout)")
        }
        if maxAnswerBytes < 1024 {
            throw EtcdConfigurationError("the largest etcd answer must be at least 1024 bytes, not \(maxAnswerBytes)")
        }
        let usesTLS = endpoints.contains { $0.scheme?.lowercased() == "https" }
        if tls != nil && !usesTLS {
            throw EtcdConfigurationError(
                "etcd TLS files were given but no endpoint is https://: give the members' https:// client URLs")
        }
        return usesTLS ? try (tls ?? EtcdTLS()).configuration() : nil
    }
}
#endif
