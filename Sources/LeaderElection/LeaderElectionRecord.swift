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

    /// The highest term a record may hold: every valid term leaves room for a next one, so a term is
    /// never handed out twice by saturating at `Int.max`.
    public static let highestTerm = Int.max - 1
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
        leaderTransitions = try Self.decodeTerm(container)
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
        do {
            self = try JSONDecoder().decode(Self.self, from: Data(jsonBytes))
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            // Linux's Foundation calls a number that does not fit an Int "not valid JSON"; name it instead.
            throw Self.numberOutOfRange(in: jsonBytes) ?? DecodingError.dataCorrupted(context)
        }
    }

    /// Why one of the whole-number fields of valid JSON does not fit, if one does not.
    private static func numberOutOfRange(in bytes: [UInt8]) -> DecodingError? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
        let limits: [(CodingKeys, ClosedRange<Decimal>)] = [
            (.leaseDurationSeconds, Decimal(Int.min)...Decimal(Int.max)),
            (.leaderTransitions, Decimal(Int.min)...Decimal(highestTerm)),
        ]
        for (key, range) in limits {
            guard let number = object[key.stringValue] as? NSNumber else { continue }
            let value = number.decimalValue
            let context = DecodingError.Context(codingPath: [key], debugDescription: "")
            guard range.contains(value) else {
                let bound =
                    key == .leaderTransitions
                    ? "the term is at most \(highestTerm), so that a next term exists" : "it must fit 64 bits"
                return .dataCorrupted(
                    .init(
                        codingPath: context.codingPath,
                        debugDescription: "\(key.stringValue) \(number.stringValue) is out of range: \(bound)"))
            }
            if number.doubleValue.rounded() != number.doubleValue {
                return .dataCorrupted(
                    .init(
                        codingPath: context.codingPath,
                        debugDescription: "\(key.stringValue) \(number.stringValue) is not a whole number"))
            }
        }
        return nil
    }

    /// The term, refused when it is out of range: above `highestTerm`, or beyond Int64 (which the
    /// decoder would otherwise report as a type mismatch).
    private static func decodeTerm(_ container: KeyedDecodingContainer<CodingKeys>) throws -> Int {
        let term: Int
        do {
            term = try container.decodeIfPresent(Int.self, forKey: .leaderTransitions) ?? 0
        } catch DecodingError.typeMismatch, DecodingError.dataCorrupted {
            let number = try? container.decode(Decimal.self, forKey: .leaderTransitions)
            if let number, number > Decimal(highestTerm) || number < Decimal(Int.min) {
                throw termOutOfRange("\(number)", container)
            }
            throw DecodingError.dataCorruptedError(
                forKey: .leaderTransitions, in: container, debugDescription: "leaderTransitions is not a whole number")
        }
        guard term <= highestTerm else { throw termOutOfRange("\(term)", container) }
        return term
    }

    private static func termOutOfRange(_ text: String, _ container: KeyedDecodingContainer<CodingKeys>) -> DecodingError {
        .dataCorruptedError(
            forKey: .leaderTransitions, in: container,
            debugDescription:
                "leaderTransitions \(text) is out of range: the term is at most \(highestTerm), so that a next term exists")
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
