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
        let lock = try LockSettings(LockOptions.parse([]), environment: environment)
        let gist = try GistRunArguments.parse(["--gist", "from-flag"]).settings(lock: lock, environment: environment)
        #expect(lock.backend == "gist")
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
        #expect(run.config.renewInterval == .seconds(16))
        let gist = try GistRunArguments.parse([]).settings(environment: [:])
        #expect(gist.takeoverSettle == ElectionDefaults.takeoverSettle)
        #expect(gist.candidates == ElectionDefaults.candidates)
        #expect(gist.elections == 1)
        #expect(gist.checkLimits == .auto)
        #expect(gist.requestTimeout == ElectionDefaults.requestTimeout)
        #expect(gist.election == ElectionDefaults.name)
    }

    /// Timings of one's own without a renew interval: 16s when two slow retries still fit, otherwise
    /// half of what the deadline leaves after two retry periods.
    @Test func theDefaultRenewIntervalFollowsTheTimingsGiven() throws {
        let tight = try RunSettings(
            RunOptions.parse(["--id", "a", "--lease-duration", "30s", "--renew-deadline", "15s"]), election: "e",
            environment: [:])
        #expect(tight.config.renewInterval == .milliseconds(2500))
        let roomy = try RunSettings(
            RunOptions.parse(["--id", "a", "--lease-duration", "90s", "--renew-deadline", "60s"]), election: "e",
            environment: [:])
        #expect(roomy.config.renewInterval == .seconds(16))
        // A longer request timeout makes the slow renewal longer: 16 + 10 + 2 x 6 = 38 > 35.
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
        let lock = try LockSettings(LockOptions.parse([]), environment: environment)
        #expect(lock.requestTimeout == .milliseconds(1500))
        let gist = try GistRunArguments.parse([]).settings(lock: lock, environment: environment)
        #expect(gist.takeoverSettle == .seconds(2))
        #expect(gist.elections == 4)
        #expect(gist.checkLimits == .github)
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
        #expect(try GistRunArguments.parse([]).settings(environment: environment).candidates == 5)
        let fromFlags = try RunSettings(
            RunOptions.parse(["--id", "a", "--renew-interval", "8s"]), election: "e", environment: environment)
        #expect(fromFlags.config.renewInterval == .seconds(8))
        #expect(try GistRunArguments.parse(["--candidates", "2"]).settings(environment: environment).candidates == 2)
    }

    @Test func emptyEnvironmentValuesCountAsUnset() throws {
        let gist = try GistRunArguments.parse([]).settings(environment: ["LEADER_ELECTION_GITHUB_API_TOKEN": ""])
        #expect(throws: AppError.self) { try gist.requireToken() }
    }

    @Test func tokenFileIsReadAndTrimmed() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try "  secret-value\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let gist = try GistRunArguments.parse(["--token-file", file.path]).settings(environment: [:])
        #expect(try gist.requireToken() == "secret-value")
    }

    @Test(arguments: [
        (["--id", "a", "--lease-duration", "10s", "--renew-deadline", "15s"], "invalid timings"),
        (["--id", "a", "--http", "8080"], "invalid HTTP address"),
        (["--id", "a", "--renew-interval", "40s"], "renewInterval"),
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
        (["--github-api-url", "ftp://x"], "invalid GitHub API URL"),
        (["--elections", "0"], "--elections"),
        (["--check-limits", "maybe"], "--check-limits"),
        (["--candidates", "0"], "--candidates"),
        (["--token-file", "/nonexistent/token"], "cannot read the token file"),
    ])
    func invalidGistSettingsNameTheProblem(arguments: [String], message: String) throws {
        let options = try GistRunArguments.parse(arguments)
        #expect {
            _ = try options.settings(environment: [:])
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func anElectionNameThatCannotNameALockIsRefused() throws {
        #expect {
            _ = try LockSettings(LockOptions.parse(["--election", "bad/name"]), environment: [:])
        } throws: { error in
            "\(error)".contains("invalid election name")
        }
    }

    /// The settle time is checked against the lease once a run knows it.
    @Test func aTakeoverSettleAsLongAsTheLeaseIsRefused() throws {
        let gist = try GistRunArguments.parse(["--takeover-settle", "60s"]).settings(environment: [:])
        #expect(throws: AppError.self) { try gist.checkedTakeoverSettle(lease: .seconds(50)) }
        #expect(try gist.checkedTakeoverSettle(lease: .seconds(61)) == .seconds(60))
    }

    @Test(arguments: [("0.0.0.0:8080", "0.0.0.0", 8080), (":9090", "0.0.0.0", 9090), ("[::1]:0", "::1", 0)])
    func httpAddresses(text: String, host: String, port: Int) throws {
        let address = try RunSettings.address(text)
        #expect(address.host == host)
        #expect(address.port == port)
    }
}
