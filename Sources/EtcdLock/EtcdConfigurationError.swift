// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
/// A setting `EtcdLock` cannot work with; `message` names the setting and the fix.
public struct EtcdConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { message }
}
#endif
