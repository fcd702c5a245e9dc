/// A report with the lock's backend's facts as fields of its own, beside the report's.
struct WithFacts<Report: Encodable>: Encodable {
    let report: Report
    let facts: [String: String]

    init(_ report: Report, facts: [String: String]) {
        self.report = report
        self.facts = facts
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in facts.sorted(by: { $0.key < $1.key }) {
            try container.encode(value, forKey: Key(stringValue: key))
        }
    }
}
