import Foundation

extension JSONEncoder {
    /// The app's JSON: sorted keys, unescaped slashes, ISO 8601 dates; stable for scripts and tests.
    static var app: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
