extension Unicode.Scalar {
    /// Whether a terminal or a log line shows the scalar as it is: not a control character, line or
    /// paragraph separator, format character (such as a bidi override), or an unassigned code point.
    package var isPrintable: Bool {
        switch properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator, .format, .surrogate, .unassigned, .privateUse: false
        default: true
        }
    }
}

extension String {
    /// Whether the text holds only printable scalars.
    package var isPrintable: Bool { unicodeScalars.allSatisfy(\.isPrintable) }

    /// The text with every scalar that is not printable written as an escape that JSON and Go read
    /// back (`\n`, `\r`, `\t`, `\u001b`), and, when `quoting`, `"` and `\` escaped too: text from a
    /// server, the store or the network can then neither break a log line or a message nor forge one.
    /// The one escaper of the project's messages and logs.
    package func escapedForLog(quoting: Bool) -> String {
        let needsQuoting: (Unicode.Scalar) -> Bool = { quoting && ($0 == "\"" || $0 == "\\") }
        guard unicodeScalars.contains(where: { !$0.isPrintable || needsQuoting($0) }) else { return self }
        var text = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where needsQuoting(scalar): text += "\\" + String(scalar)
            case _ where scalar.isPrintable: text.unicodeScalars.append(scalar)
            default:
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            }
        }
        return text
    }
}

/// The first `limit` bytes of `bytes` as a quoted, escaped one-line string, for error messages
/// that must show what was found without flooding the log or breaking the line.
package func quotedPrefix(_ bytes: some Collection<UInt8>, limit: Int = 80) -> String {
    let head = String(decoding: bytes.prefix(limit), as: UTF8.self)
    return "\"\(head.escapedForLog(quoting: true))\(bytes.count > limit ? "..." : "")\""
}
