import ArgumentParser
import Logging

/// How the app logs: klog text for people (the default) or JSON lines for log pipelines.
struct LoggingOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case klog, json
    }

    @Option(help: "Log format: klog for people, json for log pipelines.")
    var logFormat: Format = .klog

    enum Level: String, ExpressibleByArgument, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    @Option(help: "Lowest level logged.")
    var logLevel: Level = .info

    /// Installs the process-wide handler; call once, first thing in a command.
    func bootstrap() {
        let level = Logger.Level(rawValue: logLevel.rawValue) ?? .info
        let format = logFormat
        LoggingSystem.bootstrap { _ in
            var handler: any LogHandler = switch format {
            case .klog: KlogLogHandler()
            case .json: JSONLogHandler()
            }
            handler.logLevel = level
            return handler
        }
    }
}
