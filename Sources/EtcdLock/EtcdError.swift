// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
/// A failure talking to etcd that a later attempt may heal: no member answered in time, a member
/// without a leader, a 5xx, an answer that is not etcd's. To `ResourceLock` this is a transient error;
/// the failures no retry heals are thrown as `ResourceLockError.permanent` instead.
///
/// `message` names the members tried and what each did; it never contains a password or token.
public struct EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, per member tried, and what to check.
    public let message: String
    /// True when a write was sent and may have been applied although no answer said so.
    public let writeInDoubt: Bool

    init(_ message: String, writeInDoubt: Bool = false) {
        self.message = message
        self.writeInDoubt = writeInDoubt
    }

    public var description: String { message }
}
#endif
