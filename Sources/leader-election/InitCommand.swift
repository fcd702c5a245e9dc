import ArgumentParser
import Foundation
import GistLock

/// `leader-election init`: creates a private gist holding an empty lock file and prints its id.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a private gist for the lock and print its id.")

    @OptionGroup var gist: GistOptions

    @Option(help: "Description of the new gist.")
    var description = "Lock of a multi-cluster leader election (leader-election)"

    func run() async throws {
        do {
            let settings = try GistSettings(gist, environment: ProcessInfo.processInfo.environment)
            let client = try GistClient(
                apiURL: settings.apiURL, token: settings.requireToken(), userAgent: ElectionApp.userAgent,
                timeout: settings.requestTimeout, apiVersion: settings.apiVersion, tokenOrigin: settings.tokenOrigin)
            let created = try await GistLock.createGist(
                client: client, election: settings.election, description: description)
            print(created.id)
        } catch {
            FileHandle.standardError.write(Data("leader-election init: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
