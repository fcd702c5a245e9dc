// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
import Foundation

/// A token etcd issued, kept out of descriptions like the password it was bought with.
struct EtcdSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String

    var description: String { "<redacted>" }
    var debugDescription: String { "<redacted>" }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// `text` with every occurrence of the secret replaced, for messages that quote what etcd sent.
    func scrub(_ text: String) -> String {
        value.isEmpty ? text : text.replacingOccurrences(of: value, with: "<redacted>")
    }
}
#endif
