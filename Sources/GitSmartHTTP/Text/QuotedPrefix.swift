/// The first `limit` bytes of `bytes` as a quoted, escaped one-line string, for error messages
/// that must show what was found without flooding the log or breaking the line.
package func quotedPrefix(_ bytes: some Collection<UInt8>, limit: Int = 80) -> String {
    let head = String(decoding: bytes.prefix(limit), as: UTF8.self)
    var text = ""
    for scalar in head.unicodeScalars {
        switch scalar {
        case "\"": text += "\\\""
        case "\\": text += "\\\\"
        case "\n": text += "\\n"
        case "\r": text += "\\r"
        case "\t": text += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            text += "\\u{\(String(scalar.value, radix: 16))}"
        default: text.unicodeScalars.append(scalar)
        }
    }
    return "\"\(text)\(bytes.count > limit ? "..." : "")\""
}
