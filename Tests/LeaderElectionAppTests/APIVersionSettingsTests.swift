import ArgumentParser
import Foundation
import GistLock
import Testing

@testable import leader_election

@Suite struct APIVersionSettingsTests {
    @Test func flagWinsOverEnvironmentWhichWinsOverTheDefaultOfTheWriteMode() throws {
        let environment = ["LEADER_ELECTION_GITHUB_API_VERSION": "2022-11-28"]
        let fromFlag = try GistSettings(GistOptions.parse(["--github-api-version", "2026-03-10"]), environment: environment)
        #expect(fromFlag.apiVersion == "2026-03-10")
        let fromEnvironment = try GistSettings(GistOptions.parse([]), environment: environment)
        #expect(fromEnvironment.apiVersion == "2022-11-28")
        // Git writes build on the commit a read names: only the older version's answers carry history.
        let byDefault = try GistSettings(GistOptions.parse([]), environment: [:])
        #expect(byDefault.writeMode == .auto)
        #expect(byDefault.apiVersion == GistClient.historyAPIVersion)
        let rest = try GistSettings(GistOptions.parse(["--write-mode", "rest"]), environment: [:])
        #expect(rest.apiVersion == GistClient.defaultAPIVersion)
        let git = try GistSettings(GistOptions.parse([]), environment: ["LEADER_ELECTION_WRITE_MODE": "git"])
        #expect(git.writeMode == .git)
        #expect(git.apiVersion == GistClient.historyAPIVersion)
    }

    @Test func anUnknownWriteModeIsRefusedWithTheFix() throws {
        let error = #expect(throws: AppError.self) {
            try GistSettings(GistOptions.parse(["--write-mode", "push"]), environment: [:])
        }
        #expect(error?.description.contains("\"push\"") == true)
        #expect(error?.description.contains("auto, git or rest") == true)
    }

    @Test func aVersionThatIsNotADateIsRefusedWithTheFix() throws {
        let error = #expect(throws: AppError.self) {
            try GistSettings(GistOptions.parse(["--github-api-version", "v3"]), environment: [:])
        }
        #expect(error?.description.contains("--github-api-version") == true)
        #expect(error?.description.contains("\"v3\"") == true)
    }
}
