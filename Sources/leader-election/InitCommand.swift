import ArgumentParser
import Foundation

/// `leader-election init`: prepares the lock's store, as its backend understands it, and prints one line.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Prepare the lock's store and print where the lock is.",
        discussion: BackendOptions.types.map { "--lock \($0.name): \($0.initSummary)" }.joined(separator: "\n"))

    @OptionGroup var lock: LockOptions

    @Option(help: "Description of what init creates, for stores that keep one (a new gist); others ignore it.")
    var description: String?

    func run() async throws {
        do {
            let environment = ProcessInfo.processInfo.environment
            let settings = try LockSettings(lock, environment: environment)
            let store = try lock.store(settings, environment: environment)
            print(try await store.initialize(InitRequest(description: description)))
        } catch {
            FileHandle.standardError.write(Data("leader-election init: \("\(error)".escapedForLog(quoting: false))\n".utf8))
            throw ExitCode(1)
        }
    }
}
