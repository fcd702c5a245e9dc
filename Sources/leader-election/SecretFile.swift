import Foundation

/// The secret (a token, a password) held in the file at `path`, trimmed of `trimming`. An `AppError`
/// names the file, and the flag or variable that named it, when it cannot be read or holds nothing.
/// - Parameters:
///   - name: what the file is, for messages: "the token file".
///   - content: what belongs in it, for messages: "a GitHub token with the gist scope".
func readSecretFile(
    _ path: String, name: String, flag: String, variable: String, trimming: CharacterSet, content: String
) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw AppError("cannot read \(name) \(path): check \(flag) (or \(variable)) and its permissions")
    }
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: trimming)
    guard !text.isEmpty else {
        throw AppError("\(name) \(path) is empty: put \(content) in it")
    }
    return text
}
