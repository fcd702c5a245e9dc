import ArgumentParser
import Foundation
import LeaderElection

/// `leader-election defaults`: the defaults of every setting, from `ElectionDefaults`, with the retries
/// they leave and each backend's own (the gist lock's: what they cost against GitHub's limits). The chart's values and the README are
/// checked against its JSON, so they cannot drift from the app.
struct DefaultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "defaults",
        abstract: "Print the default timings, what they cost against GitHub's limits, and the retries they leave."
    )

    @Option(help: "Output format: text or json.")
    var output: String = "text"

    func validate() throws {
        guard ["text", "json"].contains(output) else {
            throw ValidationError("invalid --output \"\(output)\": give text or json")
        }
    }

    func run() throws {
        let values = try Self.values()
        if output == "json" {
            let data = try JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for (key, value) in values.sorted(by: { $0.key < $1.key }) { print("\(key): \(value)") }
        }
    }

    /// Every default as the flag would take it, and the figures derived from them.
    static func values() throws -> [String: Any] {
        let config = try LeaderElectionConfig()
        let d = ElectionDefaults.self
        let slow = d.slowRenewal(requestTimeout: d.requestTimeout)
        var values: [String: any Sendable] = [
            "lock": BackendOptions.defaultName,
            "election": d.name,
            "leaseDuration": "\(GoDuration(d.leaseDuration))",
            "renewDeadline": "\(GoDuration(d.renewDeadline))",
            "retryPeriod": "\(GoDuration(d.retryPeriod))",
            "renewInterval": "\(GoDuration(d.renewInterval))",
            "requestTimeout": "\(GoDuration(d.requestTimeout))",
            "logFormat": LoggingOptions.Format.klog.rawValue,
            "logLevel": LoggingOptions.Level.info.rawValue,
            "renewalRetries": d.retriesLeft(
                renewInterval: d.renewInterval, renewDeadline: d.renewDeadline, retryPeriod: d.retryPeriod,
                slowAttempt: slow),
        ]
        for backend in BackendOptions.types {
            values.merge(backend.defaults(config: config)) { first, _ in first }
        }
        return values
    }
}
