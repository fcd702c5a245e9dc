import ArgumentParser
import Foundation
import GistLock
import LeaderElection
import Logging

/// `leader-election status`: reads the lock and tells who holds it.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Read the lock and print who holds it, since when, and its term.")

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var gist: GistOptions

    @Option(help: "text for people, json for scripts.")
    var output: Output = .text

    @Option(help: "A running copy's HTTP endpoint (e.g. http://127.0.0.1:8080): also print the last transitions it saw, with their times and terms.")
    var endpoint: String?

    func run() async throws {
        let report: LockReport
        do {
            let settings = try GistSettings(gist, environment: ProcessInfo.processInfo.environment)
            let client = try GistClient(
                apiURL: settings.apiURL, token: settings.requireToken(), userAgent: ElectionApp.userAgent,
                timeout: settings.requestTimeout, apiVersion: settings.apiVersion, tokenOrigin: settings.tokenOrigin)
            let gistID = try settings.requireGistID()
            let lock = GistLock(
                client: client, gistID: gistID, election: settings.election, identity: "status",
                logger: Logger(label: "status", factory: { _ in SwiftLogNoOpLogHandler() }))
            let observed = try await lock.get()
            // What a run with these settings would write through, found as a run finds it.
            let writeMode: String
            do {
                let writer = try await WriteModeCheck.gitWriter(
                    mode: settings.writeMode, client: client, gistID: gistID, token: try settings.requireToken(),
                    timeout: settings.requestTimeout, logger: Logger(label: "status", factory: { _ in SwiftLogNoOpLogHandler() }))
                writeMode = writer == nil ? "rest" : "git"
            } catch {
                writeMode = "none (\(error))"
            }
            report = LockReport(
                gistID: gistID, file: "\(settings.election).lock", observed: observed, now: Date(), writeMode: writeMode)
        } catch {
            FileHandle.standardError.write(Data("leader-election status: \("\(error)".escapedForLog(quoting: false))\n".utf8))
            throw ExitCode(1)
        }
        print(output == .json ? report.json() : report.text(), terminator: "")
        if output == .text, let endpoint { print(await TransitionHistory.lines(endpoint: endpoint).joined(separator: "\n")) }
    }
}

/// What `status` prints: the record, plus how long ago it was renewed by the wall clock.
struct LockReport: Encodable {
    var gist: String
    var file: String
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
    /// How a run with the same settings writes the lock: `git` or `rest`.
    var writeMode: String

    init(gistID: String, file: String, observed: ObservedRecord?, now: Date, writeMode: String = "rest") {
        gist = gistID
        self.writeMode = writeMode
        self.file = file
        exists = observed != nil
        guard let record = observed?.record else { return }
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
        // Every field is a string, number, boolean or date.
        return String(decoding: try! JSONEncoder.app.encode(self), as: UTF8.self) + "\n"
    }

    /// For people: every text read from the store or the network is escaped, so a hostile holder
    /// identity cannot forge lines or send terminal controls.
    func text() -> String {
        let writeMode = writeMode.escapedForLog(quoting: false)
        let gist = gist.escapedForLog(quoting: false)
        let writes = "writes:   \(writeMode)" + (writeMode == "git" ? " (pushes to the gist's repository)" : "")
        guard exists else {
            return "lock:     \(file) in gist \(gist)\nholder:   none (the lock file does not exist yet)\n\(writes)\n"
        }
        let holder = holderIdentity.flatMap { $0.isEmpty ? nil : $0.escapedForLog(quoting: false) } ?? "none (released)"
        var lines = [
            "lock:     \(file) in gist \(gist)",
            "holder:   \(holder)",
            "term:     \(leaderTransitions ?? 0) (leaderTransitions)",
            "acquired: \(acquireTime.map { $0.formatted(.iso8601) } ?? "-")",
            "renewed:  \(renewTime.map { $0.formatted(.iso8601) } ?? "-")"
                + (renewedSecondsAgo.map { " (\($0)s ago)" } ?? ""),
            "lease:    \(leaseDurationSeconds ?? 0)s" + (looksExpired == true ? ", looks expired" : ", looks valid"),
            writes,
        ]
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
