import HTTPTypes
import Testing

/// A request body GitHub refuses, as a test's argument: the status and message it answers with.
struct RefusedBody: CustomTestStringConvertible, Sendable {
    let name: String
    let body: String
    let status: HTTPResponse.Status
    let message: String
    var testDescription: String { name }
}
