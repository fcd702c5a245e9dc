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
        let run = try RunSettings(
            RunOptions.parse(["--lease-duration", "1m"]), election: gist.election, environment: environment)
        #expect(run.identity == "env-id")
        #expect(run.config.leaseDuration == .seconds(60))
        #expect(run.config.renewDeadline == ElectionDefaults.renewDeadline)
        #expect(run.config.retryPeriod == .seconds(2))
        #expect(run.config.name == "env-election")
        #expect(run.http == nil)
    }

    @Test func defaultsAreTheOneDefinition() throws {
        let run = try RunSettings(RunOptions.parse(["--id", "a"]), election: "e", environment: [:])
        #expect(run.config == (try LeaderElectionConfig(name: "e")))
        #expect(run.config.leaseDuration == .seconds(50))
        #expect(run.config.renewDeadline == .seconds(35))
        #expect(run.config.retryPeriod == .seconds(5))
        #expect(run.config.renewInterval == .seconds(15))
        #expect(run.takeoverSettle == ElectionDefaults.takeoverSettle)
        #expect(run.candidates == ElectionDefaults.candidates)
        #expect(run.elections == 1)
        #expect(run.checkLimits == .auto)
        let gist = try GistSettings(GistOptions.parse([]), environment: [:])
        #expect(gist.requestTimeout == ElectionDefaults.requestTimeout)
        #expect(gist.election == ElectionDefaults.name)
    }

    /// Timings of one's own without a renew interval: 15s when two slow retries still fit, otherwise
    /// half of what the deadline leaves after two retry periods.
    @Test func theDefaultRenewIntervalFollowsTheTimingsGiven() throws {
        let tight = try RunSettings(
            RunOptions.parse(["--id", "a", "--lease-duration", "30s", "--renew-deadline", "15s"]), election: "e",
            environment: [:])
        #expect(tight.config.renewInterval == .milliseconds(2500))
        let roomy = try RunSettings(
            RunOptions.parse(["--id", "a", "--lease-duration", "90s", "--renew-deadline", "60s"]), election: "e",
            environment: [:])
        #expect(roomy.config.renewInterval == .seconds(15))
        // A longer request timeout makes the slow renewal longer: 15 + 10 + 2 x 6 = 37 > 35.
        let slow = try RunSettings(
            RunOptions.parse(["--id", "a"]), election: "e", requestTimeout: .seconds(6), environment: [:])
        #expect(slow.config.renewInterval == .milliseconds(12500))
    }

    /// Every flag of `run` has its environment variable.
    @Test func everyTimingFlagHasItsEnvironmentVariable() throws {
        let environment = [
            "LEADER_ELECTION_TAKEOVER_SETTLE": "2s", "LEADER_ELECTION_REQUEST_TIMEOUT": "1500ms",
            "LEADER_ELECTION_ELECTIONS": "4", "LEADER_ELECTION_CHECK_LIMITS": "github",
            "LEADER_ELECTION_LOG_FORMAT": "json", "LEADER_ELECTION_LOG_LEVEL": "debug",
        ]
        let run = try RunSettings(RunOptions.parse(["--id", "a"]), election: "e", environment: environment)
        #expect(run.takeoverSettle == .seconds(2))
        #expect(run.elections == 4)
        #expect(run.checkLimits == .github)
        let gist = try GistSettings(GistOptions.parse([]), environment: environment)
        #expect(gist.requestTimeout == .milliseconds(1500))
        let logging = try LoggingOptions.parse([])
        #expect(try logging.format(environment) == .json)
        #expect(try logging.level(environment) == .debug)
        #expect(try LoggingOptions.parse(["--log-level", "error"]).level(environment) == .error)
        #expect(throws: ValidationError.self) { try logging.level(["LEADER_ELECTION_LOG_LEVEL": "loud"]) }
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
        (["--id", "a", "--takeover-settle", "60s"], "--takeover-settle"),
        (["--id", "a", "--renew-interval", "40s"], "renewInterval"),
        (["--id", "a", "--elections", "0"], "--elections"),
        (["--id", "a", "--check-limits", "maybe"], "--check-limits"),
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
