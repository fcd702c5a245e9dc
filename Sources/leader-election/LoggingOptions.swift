import ArgumentParser
import Foundation
import Logging

/// How the app logs: klog text for people (the default) or JSON lines for log pipelines.
struct LoggingOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case klog, json
    }

    @Option(help: "Log format: klog for people, json for log pipelines. [env: LEADER_ELECTION_LOG_FORMAT] (default: klog)")
    var logFormat: Format?

    enum Level: String, ExpressibleByArgument, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    @Option(help: "Lowest level logged. [env: LEADER_ELECTION_LOG_LEVEL] (default: info)")
    var logLevel: Level?

    /// The format from the flag, then LEADER_ELECTION_LOG_FORMAT, then klog.
    func format(_ environment: [String: String]) throws -> Format {
        if let logFormat { return logFormat }
        guard let text = environment.nonEmpty("LEADER_ELECTION_LOG_FORMAT") else { return .klog }
        guard let format = Format(rawValue: text) else {
            throw ValidationError("LEADER_ELECTION_LOG_FORMAT=\"\(text)\" is not a log format: give klog or json")
        }
        return format
    }

    /// The level from the flag, then LEADER_ELECTION_LOG_LEVEL, then info.
    func level(_ environment: [String: String]) throws -> Level {
        if let logLevel { return logLevel }
        guard let text = environment.nonEmpty("LEADER_ELECTION_LOG_LEVEL") else { return .info }
        guard let level = Level(rawValue: text) else {
            throw ValidationError(
                "LEADER_ELECTION_LOG_LEVEL=\"\(text)\" is not a log level: give one of "
                    + Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return level
    }

    /// Checks the environment's values before anything runs, so a bad one is a usage error.
    func validate() throws {
        let environment = ProcessInfo.processInfo.environment
        _ = try format(environment)
        _ = try level(environment)
    }

    /// Installs the process-wide handler; call once, first thing in a command.
    func bootstrap() {
        let environment = ProcessInfo.processInfo.environment
        let level = Logger.Level(rawValue: ((try? level(environment)) ?? .info).rawValue) ?? .info
        let format = (try? format(environment)) ?? .klog
        LoggingSystem.bootstrap { _ in
            var handler: any LogHandler =
                switch format {
                case .klog: KlogLogHandler()
                case .json: JSONLogHandler()
                }
            handler.logLevel = level
            return handler
        }
    }
}
