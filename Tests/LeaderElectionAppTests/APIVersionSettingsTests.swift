import ArgumentParser
import Foundation
import GistLock
import Testing

@testable import leader_election

@Suite struct APIVersionSettingsTests {
    @Test func flagWinsOverEnvironmentWhichWinsOverTheDefaultOfTheWriteMode() throws {
        let environment = ["LEADER_ELECTION_GITHUB_API_VERSION": "2022-11-28"]
        let fromFlag = try GistRunArguments.parse(["--github-api-version", "2026-03-10"]).settings(environment: environment)
        #expect(fromFlag.apiVersion == "2026-03-10")
        let fromEnvironment = try GistRunArguments.parse([]).settings(environment: environment)
        #expect(fromEnvironment.apiVersion == "2022-11-28")
        // Git writes build on the commit a read names: only the older version's answers carry history.
        let byDefault = try GistRunArguments.parse([]).settings(environment: [:])
        #expect(byDefault.writeMode == .auto)
        #expect(byDefault.apiVersion == GistClient.historyAPIVersion)
        let rest = try GistRunArguments.parse(["--write-mode", "rest"]).settings(environment: [:])
        #expect(rest.apiVersion == GistClient.defaultAPIVersion)
        let git = try GistRunArguments.parse([]).settings(environment: ["LEADER_ELECTION_WRITE_MODE": "git"])
        #expect(git.writeMode == .git)
        #expect(git.apiVersion == GistClient.historyAPIVersion)
    }

    @Test func anUnknownWriteModeIsRefusedWithTheFix() throws {
        let error = #expect(throws: AppError.self) {
            try GistRunArguments.parse(["--write-mode", "push"]).settings(environment: [:])
        }
        #expect(error?.description.contains("\"push\"") == true)
        #expect(error?.description.contains("auto, git or rest") == true)
    }

    @Test func aVersionThatIsNotADateIsRefusedWithTheFix() throws {
        let error = #expect(throws: AppError.self) {
            try GistRunArguments.parse(["--github-api-version", "v3"]).settings(environment: [:])
        }
        #expect(error?.description.contains("--github-api-version") == true)
        #expect(error?.description.contains("\"v3\"") == true)
    }
}
