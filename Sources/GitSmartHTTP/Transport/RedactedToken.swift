import Foundation

/// A token, kept out of every description, debug print and mirror of the values that hold it.
///
/// `scrub` is the one redaction every text from outside passes before it reaches an error (and so a
/// log line): git errors and conflict reasons in `GitBranchWriter` and transport failures in
/// `URLSessionGitTransport` here, and the REST client's errors in the packages that use this one.
package struct RedactedToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself; read only to build the Authorization header.
    package let value: String
    /// Every form a server may echo, longest first: the Basic credentials and the token, each also
    /// base64 encoded (with and without padding).
    private let forms: [String]

    package init(value: String) {
        self.value = value
        guard !value.isEmpty else {
            forms = []
            return
        }
        let basic = "x-access-token:\(value)"
        var forms = [basic, value]
        for text in [basic, value] {
            let encoded = Data(text.utf8).base64EncodedString()
            forms.append(encoded)
            let unpadded = String(encoded.reversed().drop { $0 == "=" }.reversed())
            if unpadded != encoded { forms.append(unpadded) }
        }
        self.forms = forms.sorted { $0.count > $1.count }
    }

    package var description: String { "<redacted>" }
    package var debugDescription: String { "<redacted>" }
    package var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// `text` with every form of the token replaced, for messages that quote what a server sent.
    package func scrub(_ text: String) -> String {
        forms.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }
}
