import ArgumentParser
import Foundation

/// `leader-election init`: prepares the lock's store, as its backend understands it, and prints one line.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Prepare the lock's store and print where the lock is.",
        discussion: """
            --lock gist: creates a private gist holding a free lock file and prints its id, for --gist.
            --lock etcd: checks that a member answers, then creates the free record under <prefix>/<election> unless \
            the key already holds one (a record is left as it is), and prints the key; a key holding something \
            that is not a record is an error, left untouched. The election would create the same record itself.
            """)

    @OptionGroup var lock: LockOptions

    @Option(help: "Description of the new gist (--lock gist; a backend without descriptions ignores it).")
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
