public import Foundation

/// The lease record kept in the lock, with client-go's JSON field names and timestamp format.
///
/// Encoding writes exactly the five fields client-go's `LeaderElectionRecord` writes for a lease lock,
/// in Go's order, with RFC 3339 timestamps in UTC and whole seconds (`metav1.Time`). Decoding also
/// accepts `strategy` and `preferredHolder`, fractional seconds, offsets, and `null` timestamps.
public struct LeaderElectionRecord: Sendable, Equatable, Codable {
    /// Who holds the lease; empty means the lease is free.
    public var holderIdentity: String
    /// How long, in seconds, the holder may go without renewing before others may take over.
    public var leaseDurationSeconds: Int
    /// When the current holder acquired the lease (informational: expiry never reads it).
    public var acquireTime: Date?
    /// When the holder last renewed (informational: expiry is judged on the observer's own clock).
    public var renewTime: Date?
    /// How many times the lease changed hands; the current term, usable as a fencing token.
    public var leaderTransitions: Int
    /// client-go's coordinated-lease strategy, read and kept but never acted upon.
    public var strategy: String?
    /// client-go's preferred holder, read and kept but never acted upon.
    public var preferredHolder: String?

    public init(
        holderIdentity: String,
        leaseDurationSeconds: Int,
        acquireTime: Date?,
        renewTime: Date?,
        leaderTransitions: Int,
        strategy: String? = nil,
        preferredHolder: String? = nil
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaderTransitions = leaderTransitions
        self.strategy = strategy
        self.preferredHolder = preferredHolder
    }

    enum CodingKeys: String, CodingKey {
        case holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaderTransitions
        case strategy, preferredHolder
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        holderIdentity = try container.decodeIfPresent(String.self, forKey: .holderIdentity) ?? ""
        leaseDurationSeconds = try container.decode(Int.self, forKey: .leaseDurationSeconds)
        acquireTime = try Self.decodeTime(container, .acquireTime)
        renewTime = try Self.decodeTime(container, .renewTime)
        leaderTransitions = try container.decodeIfPresent(Int.self, forKey: .leaderTransitions) ?? 0
        strategy = try container.decodeIfPresent(String.self, forKey: .strategy)
        preferredHolder = try container.decodeIfPresent(String.self, forKey: .preferredHolder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(holderIdentity, forKey: .holderIdentity)
        try container.encode(leaseDurationSeconds, forKey: .leaseDurationSeconds)
        try container.encode(acquireTime.map(Self.formatTime), forKey: .acquireTime)
        try container.encode(renewTime.map(Self.formatTime), forKey: .renewTime)
        try container.encode(leaderTransitions, forKey: .leaderTransitions)
        try container.encodeIfPresent(strategy, forKey: .strategy)
        try container.encodeIfPresent(preferredHolder, forKey: .preferredHolder)
    }

    /// The bytes a lock stores for this record: compact JSON in Go's field order, as Go's encoder writes it.
    public func jsonBytes() -> [UInt8] {
        // JSONEncoder does not keep key order, and the byte-exact form is what compare-before-write compares.
        var fields = [
            "\"holderIdentity\":\(Self.quoted(holderIdentity))",
            "\"leaseDurationSeconds\":\(leaseDurationSeconds)",
            "\"acquireTime\":\(acquireTime.map { Self.quoted(Self.formatTime($0)) } ?? "null")",
            "\"renewTime\":\(renewTime.map { Self.quoted(Self.formatTime($0)) } ?? "null")",
            "\"leaderTransitions\":\(leaderTransitions)",
        ]
        if let strategy { fields.append("\"strategy\":\(Self.quoted(strategy))") }
        if let preferredHolder { fields.append("\"preferredHolder\":\(Self.quoted(preferredHolder))") }
        return Array("{\(fields.joined(separator: ","))}".utf8)
    }

    private static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        // Encoding a String cannot fail.
        return String(decoding: try! encoder.encode(text), as: UTF8.self)
    }

    /// Parses stored bytes; throws `DecodingError` when they are not a record.
    public init(jsonBytes: [UInt8]) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(jsonBytes))
    }

    private static func decodeTime(
        _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
    ) throws -> Date? {
        guard let text = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
        if let date = parseTime(text) { return date }
        throw DecodingError.dataCorruptedError(
            forKey: key, in: container,
            debugDescription: "\(key.stringValue) \"\(text)\" is not an RFC 3339 timestamp"
        )
    }

    /// Parses RFC 3339 with or without fractional seconds, as Go's `metav1.Time` and `MicroTime` write it.
    static func parseTime(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? Date(text, strategy: fractional)
    }

    static func formatTime(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
    }
}
