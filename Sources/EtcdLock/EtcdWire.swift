// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
import Foundation

// The JSON shapes of etcd's v3 gRPC gateway (etcd 3.4 serves it at /v3/): protobuf's JSON mapping with
// the proto field names, bytes as base64, 64-bit integers as strings, and fields at their default
// value (false, 0, empty) left out of answers.

/// A 64-bit integer as the gateway writes it: a JSON string of digits (a number is accepted too).
struct EtcdInt64: Codable, Sendable, Equatable {
    var value: Int64

    init(_ value: Int64) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
            return
        }
        let text = try container.decode(String.self)
        guard let number = Int64(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not a 64-bit integer")
        }
        value = number
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(value))
    }
}

/// `etcdserverpb.ResponseHeader`: only the store revision an answer was taken at matters here.
struct EtcdResponseHeader: Codable, Sendable {
    var revision: EtcdInt64?
}

/// `mvccpb.KeyValue`: `value` is absent when the stored value is empty.
struct EtcdKeyValue: Codable, Sendable {
    var key: Data
    var createRevision: EtcdInt64?
    var modRevision: EtcdInt64?
    var value: Data?

    enum CodingKeys: String, CodingKey {
        case key, value
        case createRevision = "create_revision"
        case modRevision = "mod_revision"
    }
}

/// `RangeRequest` for one key.
struct EtcdRangeRequest: Codable, Sendable {
    var key: Data
}

/// `RangeResponse`: `kvs` is absent when the key does not exist.
struct EtcdRangeResponse: Codable, Sendable {
    var header: EtcdResponseHeader?
    var kvs: [EtcdKeyValue]?
}

/// `Compare`: which field of a key (`target`) must equal the value given in the field of that name.
struct EtcdCompare: Codable, Sendable {
    var target: String
    var key: Data
    var result: String
    var createRevision: EtcdInt64?
    var modRevision: EtcdInt64?
    var value: Data?

    enum CodingKeys: String, CodingKey {
        case target, key, result, value
        case createRevision = "create_revision"
        case modRevision = "mod_revision"
    }

    /// The key does not exist: its create revision is 0.
    static func absent(_ key: Data) -> Self {
        Self(target: "CREATE", key: key, result: "EQUAL", createRevision: EtcdInt64(0))
    }

    /// The key was last written at `revision`.
    static func modified(_ key: Data, at revision: Int64) -> Self {
        Self(target: "MOD", key: key, result: "EQUAL", modRevision: EtcdInt64(revision))
    }

    /// Never holds: no key has a create revision below 0.
    static func never(_ key: Data) -> Self {
        Self(target: "CREATE", key: key, result: "LESS", createRevision: EtcdInt64(0))
    }

    /// The key holds exactly `value` (fails when the key does not exist).
    static func holds(_ key: Data, _ value: Data) -> Self {
        Self(target: "VALUE", key: key, result: "EQUAL", value: value)
    }
}

/// `RequestOp`: a put when the compare holds, a read of the key when it does not.
struct EtcdRequestOp: Codable, Sendable {
    struct Put: Codable, Sendable {
        var key: Data
        var value: Data
    }

    var requestPut: Put?
    var requestRange: EtcdRangeRequest?

    enum CodingKeys: String, CodingKey {
        case requestPut = "request_put"
        case requestRange = "request_range"
    }
}

/// `TxnRequest`.
struct EtcdTxnRequest: Codable, Sendable {
    var compare: [EtcdCompare]
    var success: [EtcdRequestOp]
    var failure: [EtcdRequestOp]
}

/// `TxnResponse`: `succeeded` is absent when the compare failed.
struct EtcdTxnResponse: Codable, Sendable {
    struct ResponseOp: Codable, Sendable {
        var responseRange: EtcdRangeResponse?

        enum CodingKeys: String, CodingKey {
            case responseRange = "response_range"
        }
    }

    var header: EtcdResponseHeader?
    var succeeded: Bool?
    var responses: [ResponseOp]?
}

/// `AuthenticateRequest`.
struct EtcdAuthenticateRequest: Codable, Sendable {
    var name: String
    var password: String
}

/// `AuthenticateResponse`: the token goes in the `Authorization` header of later requests.
struct EtcdAuthenticateResponse: Codable, Sendable {
    var token: String?
}

/// The gateway's error answer: the gRPC status code and etcd's message ("etcdserver: ...").
struct EtcdErrorBody: Codable, Sendable {
    var error: String?
    var message: String?
    var code: Int?
}
#endif
