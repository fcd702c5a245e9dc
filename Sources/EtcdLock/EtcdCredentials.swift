// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
/// A user name and password for etcd's authentication (`etcdctl user add`); the password is kept out
/// of every description, debug print and mirror.
public struct EtcdCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The etcd user.
    public let username: String
    /// The password; read only to ask etcd for a token.
    public let password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "\(username):<redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["username": username], displayStyle: .struct) }
}
#endif
