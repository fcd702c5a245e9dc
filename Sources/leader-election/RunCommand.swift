import ArgumentParser
import Foundation
import Logging

/// `leader-election run`: take part in the election until SIGTERM or SIGINT, then release the lease.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Take part in the election until SIGTERM or SIGINT (the default subcommand)."
    )

    @OptionGroup var lock: LockOptions
    @OptionGroup var run: RunOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var backendRun: BackendRunOptions

    /// Refuses, as a usage error, `run`'s options of a backend that was not picked.
    func validate() throws {
        try lock.refuseOthers(environment: ProcessInfo.processInfo.environment, extras: backendRun.all)
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        logging.bootstrap()
        let logger = Logger(label: "leader-election")
        do {
            let lockSettings = try LockSettings(lock, extras: backendRun.all, environment: environment)
            let store = try lock.store(lockSettings, extras: backendRun.all, environment: environment)
            let runSettings = try RunSettings(
                run, election: lockSettings.election, requestTimeout: lockSettings.requestTimeout, environment: environment)
            let app = try await ElectionApp.build(store: store, run: runSettings, logger: logger)
            try await app.run()
        } catch let error as AppError {
            logger.critical("\(error.description)")
            throw ExitCode(2)
        } catch let error as PermanentFailure {
            logger.critical("\(error.description)")
            throw ExitCode(1)
        }
    }
}
