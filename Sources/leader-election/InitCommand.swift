import ArgumentParser
import Foundation
import TextEscaping

/// `leader-election init`: prepares the lock's store, as its backend understands it, and prints one line.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Prepare the lock's store and print where the lock is.",
        discussion: BackendOptions.types.map { "--lock \($0.name): \($0.initSummary)" }.joined(separator: "\n"))

    @OptionGroup var lock: LockOptions
    @OptionGroup var backendInit: BackendInitOptions

    /// Refuses, as a usage error, `init`'s options of a backend that was not picked, and the picked
    /// backend's options that `init` would ignore.
    func validate() throws {
        let environment = ProcessInfo.processInfo.environment
        try lock.refuseOthers(environment: environment, extras: backendInit.all)
        try lock.backend(named: try lock.backendName(environment: environment))?.validateForInit()
    }

    func run() async throws {
        do {
            let environment = ProcessInfo.processInfo.environment
            let settings = try LockSettings(lock, extras: backendInit.all, environment: environment)
            let store = try lock.store(settings, extras: backendInit.all, environment: environment)
            print(try await store.initialize())
        } catch {
            FileHandle.standardError.write(Data("leader-election init: \("\(error)".escapedForLog(quoting: false))\n".utf8))
            throw ExitCode(1)
        }
    }
}
