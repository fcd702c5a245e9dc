// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
import ArgumentParser
import EtcdLock
import Foundation
import LeaderElection
import Logging
import TextEscaping

/// The etcd lock's options: the members, the key prefix, TLS and authentication. Every subcommand
/// takes them; with `--lock etcd` only.
struct EtcdOptions: ParsableArguments {
    @Option(
        help:
            "Client URLs of the etcd members, comma-separated (http://host:2379 or https://...); a request that fails on one goes to the next. Required with --lock etcd. [env: LEADER_ELECTION_ETCD_ENDPOINTS]"
    )
    var etcdEndpoints: String?

    @Option(
        help:
            "Key prefix; the record is the key <prefix>/<election>. [env: LEADER_ELECTION_ETCD_PREFIX] (default: \(EtcdConfiguration.defaultPrefix))"
    )
    var etcdPrefix: String?

    @Option(
        help:
            "PEM file of the CA that signed the members' certificates, for https:// endpoints (the system's trust store when not given). [env: LEADER_ELECTION_ETCD_CA_FILE]"
    )
    var etcdCAFile: String?

    @Option(
        help:
            "PEM client certificate, for members that ask for one (--client-cert-auth); with --etcd-key-file. [env: LEADER_ELECTION_ETCD_CERT_FILE]"
    )
    var etcdCertFile: String?

    @Option(help: "PEM key of the client certificate. [env: LEADER_ELECTION_ETCD_KEY_FILE]")
    var etcdKeyFile: String?

    @Option(
        help:
            "etcd user, when the cluster has authentication enabled; with --etcd-password-file. [env: LEADER_ELECTION_ETCD_USERNAME]"
    )
    var etcdUsername: String?

    @Option(
        help:
            "File holding the etcd user's password; otherwise LEADER_ELECTION_ETCD_PASSWORD. [env: LEADER_ELECTION_ETCD_PASSWORD_FILE]"
    )
    var etcdPasswordFile: String?
}

/// `EtcdOptions` after flags, then environment, then defaults were applied and checked.
struct EtcdSettings: Sendable {
    var configuration: EtcdConfiguration
    var election: String

    /// - Parameters:
    ///   - lock: the election and the request timeout, which every backend shares.
    init(_ options: EtcdOptions, lock: LockSettings, environment: [String: String]) throws {
        election = lock.election
        guard let endpointList = options.etcdEndpoints ?? environment.nonEmpty("LEADER_ELECTION_ETCD_ENDPOINTS") else {
            throw AppError(
                "no etcd endpoint given: pass --etcd-endpoints URL[,URL...] or set LEADER_ELECTION_ETCD_ENDPOINTS "
                    + "(the members' client URLs, such as http://127.0.0.1:2379)")
        }
        var endpoints: [URL] = []
        for text in endpointList.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !text.isEmpty {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                url.host?.isEmpty == false
            else {
                // The text is not quoted back: a URL with a password in it would be printed.
                throw AppError(
                    "an etcd endpoint in --etcd-endpoints (or LEADER_ELECTION_ETCD_ENDPOINTS) is not an http:// or https:// URL "
                        + "with a host: give the members' client URLs, such as http://127.0.0.1:2379, separated by commas")
            }
            endpoints.append(url)
        }
        let prefix = options.etcdPrefix ?? environment.nonEmpty("LEADER_ELECTION_ETCD_PREFIX") ?? EtcdConfiguration.defaultPrefix
        guard prefix.hasPrefix("/"), prefix.unicodeScalars.allSatisfy(\.isPrintable) else {
            throw AppError(
                "invalid etcd prefix \"\(prefix.escapedForLog(quoting: true))\": give a path such as /leader-election with --etcd-prefix"
            )
        }
        let caFile = options.etcdCAFile ?? environment.nonEmpty("LEADER_ELECTION_ETCD_CA_FILE")
        let certFile = options.etcdCertFile ?? environment.nonEmpty("LEADER_ELECTION_ETCD_CERT_FILE")
        let keyFile = options.etcdKeyFile ?? environment.nonEmpty("LEADER_ELECTION_ETCD_KEY_FILE")
        let tls =
            caFile == nil && certFile == nil && keyFile == nil
            ? nil : EtcdTLS(caFile: caFile, clientCertificateFile: certFile, clientKeyFile: keyFile)
        configuration = EtcdConfiguration(
            endpoints: endpoints, prefix: prefix, requestTimeout: lock.requestTimeout,
            credentials: try Self.credentials(options, environment), tls: tls)
    }

    /// The user and password, both or neither; the password from its file, else from the environment.
    private static func credentials(_ options: EtcdOptions, _ environment: [String: String]) throws -> EtcdCredentials? {
        let username = options.etcdUsername ?? environment.nonEmpty("LEADER_ELECTION_ETCD_USERNAME")
        let password: String?
        if let file = options.etcdPasswordFile ?? environment.nonEmpty("LEADER_ELECTION_ETCD_PASSWORD_FILE") {
            // A file written by echo or a Secret ends in a newline that is not part of the password.
            password = try readSecretFile(
                file, name: "the etcd password file", flag: "--etcd-password-file",
                variable: "LEADER_ELECTION_ETCD_PASSWORD_FILE", trimming: .newlines, content: "the etcd user's password")
        } else {
            password = environment.nonEmpty("LEADER_ELECTION_ETCD_PASSWORD")
        }
        switch (username, password) {
        case (nil, nil):
            return nil
        case (let username?, let password?):
            return EtcdCredentials(username: username, password: password)
        case (_?, nil):
            throw AppError(
                "an etcd user was given without a password: pass --etcd-password-file (or set LEADER_ELECTION_ETCD_PASSWORD)")
        case (nil, _?):
            throw AppError("an etcd password was given without a user: pass --etcd-username (or LEADER_ELECTION_ETCD_USERNAME)")
        }
    }

    /// The lock that `identity` elects through; a setting EtcdLock cannot work with is an `AppError`.
    func lock(identity: String, logger: Logger) throws -> EtcdLock {
        do {
            return try EtcdLock(configuration: configuration, election: election, identity: identity, logger: logger)
        } catch let error as EtcdConfigurationError {
            throw AppError(error.message)
        }
    }
}
#endif
