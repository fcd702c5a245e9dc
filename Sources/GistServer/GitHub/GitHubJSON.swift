public import Foundation
public import Hummingbird

/// JSON encoding and responses as GitHub writes them: ISO 8601 seconds, unescaped slashes,
/// `application/json; charset=utf-8`.
public enum GitHubJSON {
    /// The content type of every JSON answer.
    public static let contentType = "application/json; charset=utf-8"

    /// Encodes `value` the way the API answers are encoded.
    public static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        // Sorted keys make equal content encode to equal bytes, which the ETag relies on.
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        // Encoding plain value types cannot fail; a failure would be a bug in this module.
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    /// A response whose body is `value` as JSON.
    public static func response(status: HTTPResponse.Status, body value: some Encodable) -> Response {
        response(status: status, data: encode(value))
    }

    /// A response whose body is already-encoded JSON.
    public static func response(status: HTTPResponse.Status, data: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The status for `code` with its standard reason phrase (`HTTPResponse.Status(code:)` has none).
    public static func status(_ code: Int) -> HTTPResponse.Status {
        let known: [HTTPResponse.Status] = [
            .badRequest, .unauthorized, .forbidden, .notFound, .methodNotAllowed, .requestTimeout, .conflict, .gone,
            .contentTooLarge, .unprocessableContent, .tooManyRequests, .internalServerError, .notImplemented, .badGateway,
            .serviceUnavailable, .gatewayTimeout,
        ]
        return known.first { $0.code == code }
            ?? HTTPResponse.Status(code: code, reasonPhrase: code < 500 ? "Client Error" : "Server Error")
    }

    /// `2022-09-20T12:11:58Z`: GitHub's timestamp form, whole seconds in UTC.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}
