import ArgumentParser
import Foundation
import LeaderElection
import Testing

@testable import leader_election

@Suite struct SettingsTests {
    @Test func flagsWinOverEnvironmentWhichWinsOverDefaults() throws {
        let environment = [
            "LEADER_ELECTION_GIST_ID": "from-env", "LEADER_ELECTION_ELECTION": "env-election",
            "LEADER_ELECTION_GITHUB_API_TOKEN": "t", "LEADER_ELECTION_ID": "env-id",
            "LEADER_ELECTION_RETRY_PERIOD": "2s",
        ]
        let gist = try GistSettings(GistOptions.parse(["--gist", "from-flag"]), environment: environment)
        #expect(gist.gistID == "from-flag")
        #expect(gist.election == "env-election")
        #expect(gist.apiURL.absoluteString == "https://api.github.com")
        let run = try RunSettings(RunOptions.parse(["--lease-duration", "1m"]), election: gist.election, environment: environment)
        #expect(run.identity == "env-id")
        #expect(run.config.leaseDuration == .seconds(60))
        #expect(run.config.renewDeadline == .seconds(15))
        #expect(run.config.retryPeriod == .seconds(2))
        #expect(run.config.name == "env-election")
        #expect(run.http == nil)
    }

    @Test func defaultsAreTheGoOriginalsWithARenewIntervalThatLeavesTwoRetries() throws {
        let run = try RunSettings(RunOptions.parse(["--id", "a"]), election: "e", environment: [:])
        #expect(run.config.leaseDuration == .seconds(30))
        #expect(run.config.renewDeadline == .seconds(15))
        #expect(run.config.retryPeriod == .seconds(5))
        #expect(run.config.renewInterval == .milliseconds(2500))
        #expect(run.takeoverSettle == .seconds(1))
        #expect(run.candidates == 3)
    }

    @Test func renewIntervalAndCandidatesComeFromFlagsThenEnvironment() throws {
        let environment = ["LEADER_ELECTION_RENEW_INTERVAL": "12s", "LEADER_ELECTION_CANDIDATES": "5"]
        let fromEnvironment = try RunSettings(RunOptions.parse(["--id", "a"]), election: "e", environment: environment)
        #expect(fromEnvironment.config.renewInterval == .seconds(12))
        #expect(fromEnvironment.candidates == 5)
        let fromFlags = try RunSettings(
            RunOptions.parse(["--id", "a", "--renew-interval", "8s", "--candidates", "2"]), election: "e",
            environment: environment)
        #expect(fromFlags.config.renewInterval == .seconds(8))
        #expect(fromFlags.candidates == 2)
    }

    @Test func emptyEnvironmentValuesCountAsUnset() throws {
        let gist = try GistSettings(GistOptions.parse([]), environment: ["LEADER_ELECTION_GITHUB_API_TOKEN": ""])
        #expect(throws: AppError.self) { try gist.requireToken() }
    }

    @Test func tokenFileIsReadAndTrimmed() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try "  secret-value\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let gist = try GistSettings(GistOptions.parse(["--token-file", file.path]), environment: [:])
        #expect(try gist.requireToken() == "secret-value")
    }

    @Test(arguments: [
        (["--id", "a", "--lease-duration", "10s", "--renew-deadline", "15s"], "invalid timings"),
        (["--id", "a", "--http", "8080"], "invalid HTTP address"),
        (["--id", "a", "--takeover-settle", "40s"], "--takeover-settle"),
        (["--id", "a", "--renew-interval", "20s"], "renewInterval"),
        (["--id", "a", "--candidates", "0"], "--candidates"),
        ([], "no identity"),
    ])
    func invalidRunSettingsNameTheProblem(arguments: [String], message: String) throws {
        let options = try RunOptions.parse(arguments)
        #expect {
            _ = try RunSettings(options, election: "e", environment: [:])
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test(arguments: [
        (["--election", "bad/name"], "invalid election name"),
        (["--github-api-url", "ftp://x"], "invalid GitHub API URL"),
        (["--token-file", "/nonexistent/token"], "cannot read the token file"),
    ])
    func invalidGistSettingsNameTheProblem(arguments: [String], message: String) throws {
        let options = try GistOptions.parse(arguments)
        #expect {
            _ = try GistSettings(options, environment: [:])
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test(arguments: [("0.0.0.0:8080", "0.0.0.0", 8080), (":9090", "0.0.0.0", 9090), ("[::1]:0", "::1", 0)])
    func httpAddresses(text: String, host: String, port: Int) throws {
        let address = try RunSettings.address(text)
        #expect(address.host == host)
        #expect(address.port == port)
    }
}
