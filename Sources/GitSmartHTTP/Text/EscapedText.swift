extension String {
    /// The text with `"`, `\` and every control character written as an escape (`\n`, `\r`, `\t`,
    /// `\u{1b}`), so text a server sent can be quoted in an error without breaking or forging a log
    /// line. The one escaper of the git client and of the gist lock's messages.
    package func escapingControlCharacters() -> String {
        var text = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.properties.generalCategory == .control:
                text += "\\u{\(String(scalar.value, radix: 16))}"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// The text without the newlines at its end.
    func trimmingNewlines() -> String {
        var text = Substring(self)
        while let last = text.last, last.isNewline { text.removeLast() }
        return String(text)
    }
}

/// The first `limit` bytes of `bytes` as a quoted, escaped one-line string, for error messages
/// that must show what was found without flooding the log or breaking the line.
package func quotedPrefix(_ bytes: some Collection<UInt8>, limit: Int = 80) -> String {
    let head = String(decoding: bytes.prefix(limit), as: UTF8.self)
    return "\"\(head.escapingControlCharacters())\(bytes.count > limit ? "..." : "")\""
}
