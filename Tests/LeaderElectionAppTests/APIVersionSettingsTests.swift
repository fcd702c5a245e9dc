import ArgumentParser
import Foundation
import GistLock
import Testing

@testable import leader_election

@Suite struct APIVersionSettingsTests {
    @Test func flagWinsOverEnvironmentWhichWinsOverTheNewestTestedVersion() throws {
        let environment = ["LEADER_ELECTION_GITHUB_API_VERSION": "2022-11-28"]
        let fromFlag = try GistSettings(GistOptions.parse(["--github-api-version", "2026-03-10"]), environment: environment)
        #expect(fromFlag.apiVersion == "2026-03-10")
        let fromEnvironment = try GistSettings(GistOptions.parse([]), environment: environment)
        #expect(fromEnvironment.apiVersion == "2022-11-28")
        let byDefault = try GistSettings(GistOptions.parse([]), environment: [:])
        #expect(byDefault.apiVersion == GistClient.defaultAPIVersion)
    }

    @Test func aVersionThatIsNotADateIsRefusedWithTheFix() throws {
        let error = #expect(throws: AppError.self) {
            try GistSettings(GistOptions.parse(["--github-api-version", "v3"]), environment: [:])
        }
        #expect(error?.description.contains("--github-api-version") == true)
        #expect(error?.description.contains("\"v3\"") == true)
    }
}
