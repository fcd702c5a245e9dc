/// A short reason why JSON did not decode, for one-line error messages.
public func decodingReason(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return "\(type(of: error))" }
    switch error {
    case .dataCorrupted(let context):
        return context.codingPath.isEmpty ? "not valid JSON" : context.debugDescription
    case .keyNotFound(let key, _):
        return "no \"\(key.stringValue)\" field"
    case .typeMismatch(_, let context), .valueNotFound(_, let context):
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return path.isEmpty ? "not a JSON object" : "\"\(path)\" has the wrong type"
    @unknown default:
        return "wrong shape"
    }
}
