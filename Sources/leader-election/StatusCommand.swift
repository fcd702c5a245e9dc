import ArgumentParser
import Foundation
import LeaderElection
import TextEscaping

/// `leader-election status`: reads the lock and tells who holds it.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Read the lock and print who holds it, since when, and its term.")

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var lock: LockOptions

    @Option(help: "text for people, json for scripts.")
    var output: Output = .text

    @Option(
        help:
            "A running copy's HTTP endpoint (e.g. http://127.0.0.1:8080): also print the last transitions it saw, with their times and terms."
    )
    var endpoint: String?

    func run() async throws {
        let report: LockReport
        do {
            let environment = ProcessInfo.processInfo.environment
            let settings = try LockSettings(lock, environment: environment)
            let store = try lock.store(settings, environment: environment)
            report = LockReport(backend: settings.backend, status: try await store.status(), now: Date())
        } catch {
            FileHandle.standardError.write(Data("leader-election status: \("\(error)".escapedForLog(quoting: false))\n".utf8))
            throw ExitCode(1)
        }
        print(output == .json ? report.json() : report.text(), terminator: "")
        if output == .text, let endpoint { print(await TransitionHistory.lines(endpoint: endpoint).joined(separator: "\n")) }
    }
}

/// What `status` prints: the record, plus how long ago it was renewed by the wall clock, and the
/// backend's facts.
struct LockReport: Encodable {
    /// The backend's name (`--lock`).
    var lock: String
    var exists: Bool
    var holderIdentity: String?
    var leaderTransitions: Int?
    var leaseDurationSeconds: Int?
    var acquireTime: Date?
    var renewTime: Date?
    /// Seconds since renewTime on this machine's clock; only a hint, since clocks differ.
    var renewedSecondsAgo: Double?
    /// Whether renewTime + lease is in the past on this machine's clock, or the holder is empty.
    var looksExpired: Bool?
    /// Where the record lives and the backend's facts, for the text form; the facts are fields of the JSON form.
    private var status: LockStatus

    private enum CodingKeys: String, CodingKey {
        case lock, exists, holderIdentity, leaderTransitions, leaseDurationSeconds, acquireTime, renewTime
        case renewedSecondsAgo, looksExpired
    }

    init(backend: String, status: LockStatus, now: Date) {
        lock = backend
        self.status = status
        exists = status.observed != nil
        guard let record = status.observed?.record else { return }
        holderIdentity = record.holderIdentity
        leaderTransitions = record.leaderTransitions
        leaseDurationSeconds = record.leaseDurationSeconds
        acquireTime = record.acquireTime
        renewTime = record.renewTime
        if let renewTime = record.renewTime {
            let ago = now.timeIntervalSince(renewTime)
            renewedSecondsAgo = (ago * 10).rounded() / 10
            looksExpired = record.holderIdentity.isEmpty || ago > Double(record.leaseDurationSeconds)
        } else {
            looksExpired = record.holderIdentity.isEmpty
        }
    }

    func json() -> String {
        let facts = Dictionary(status.facts.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        // Every field is a string, number, boolean or date.
        return String(decoding: try! JSONEncoder.app.encode(WithFacts(self, facts: facts)), as: UTF8.self) + "\n"
    }

    /// For people: every text read from the store or the network is escaped, so a hostile holder
    /// identity cannot forge lines or send terminal controls.
    func text() -> String {
        let place = Self.line("lock", status.place)
        let facts = status.facts.compactMap { fact in
            fact.label.map { Self.line($0, fact.value + (fact.note.map { " (\($0))" } ?? "")) }
        }
        guard exists else {
            return ([place, Self.line("holder", "none (\(status.missing))")] + facts + [""]).joined(separator: "\n")
        }
        let holder = holderIdentity.flatMap { $0.isEmpty ? nil : $0 } ?? "none (released)"
        let lines = [
            place,
            Self.line("holder", holder),
            Self.line("term", "\(leaderTransitions ?? 0) (leaderTransitions)"),
            Self.line("acquired", acquireTime.map { $0.formatted(.iso8601) } ?? "-"),
            Self.line(
                "renewed", (renewTime.map { $0.formatted(.iso8601) } ?? "-") + (renewedSecondsAgo.map { " (\($0)s ago)" } ?? "")),
            Self.line("lease", "\(leaseDurationSeconds ?? 0)s" + (looksExpired == true ? ", looks expired" : ", looks valid")),
        ]
        return (lines + facts + [""]).joined(separator: "\n")
    }

    /// "label:   value", the values aligned, the value escaped.
    private static func line(_ label: String, _ value: String) -> String {
        let head = "\(label):"
        return head + String(repeating: " ", count: max(1, 10 - head.count)) + value.escapedForLog(quoting: false)
    }
}
