import ArgumentParser
import Foundation
import Testing

@testable import leader_election

/// Settings a careless or hostile user gives: each refused at start, before any network call, with a
/// message that names the problem.
@Suite struct HostileInputSettingsTests {
    func runError(_ arguments: [String], environment: [String: String] = [:]) throws -> String? {
        let options = try RunOptions.parse(arguments)
        return Self.error { _ = try RunSettings(options, election: "e", environment: environment) }
    }

    func lockError(_ arguments: [String], environment: [String: String] = [:]) throws -> String? {
        let options = try LockOptions.parse(arguments)
        return Self.error { _ = try LockSettings(options, environment: environment) }
    }

    func gistError(_ arguments: [String], environment: [String: String] = [:]) throws -> String? {
        let options = try GistRunArguments.parse(arguments)
        return Self.error { _ = try options.settings(environment: environment) }
    }

    /// What `body` throws, as text; nil when it throws nothing.
    static func error(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    // MARK: Durations (issue 15, item 9)

    @Test(arguments: ["--lease-duration", "--renew-deadline", "--retry-period", "--renew-interval"])
    func aFlagBeyondGosRangeIsAnErrorNotACrash(flag: String) throws {
        let message = try #require(try runError(["--id", "a", flag, "3000000h"]))
        #expect(message.contains("\(flag) 3000000h is out of range"), "\(message)")
    }

    @Test func aTakeoverSettleBeyondGosRangeIsAnErrorNotACrash() throws {
        let message = try #require(try gistError(["--takeover-settle", "3000000h"]))
        #expect(message.contains("--takeover-settle 3000000h is out of range"), "\(message)")
    }

    @Test func aVariableBeyondGosRangeIsAnErrorNotACrash() throws {
        let message = try #require(try runError(["--id", "a"], environment: ["LEADER_ELECTION_LEASE_DURATION": "3000000h"]))
        #expect(message.contains("LEADER_ELECTION_LEASE_DURATION=\"3000000h\" is out of range"), "\(message)")
    }

    @Test func aRequestTimeoutBeyondGosRangeIsAnError() throws {
        let message = try #require(try lockError(["--request-timeout", "3000000h"]))
        #expect(message.contains("--request-timeout 3000000h is out of range"), "\(message)")
    }

    @Test func aTimingLongerThanAWeekIsRefused() throws {
        let message = try #require(try runError(["--id", "a", "--lease-duration", "2000000h", "--renew-deadline", "15s"]))
        #expect(message.contains("--lease-duration 2000000h0m0s is too long"), "\(message)")
    }

    /// 1ns timings made 121 pushes in 5 s: refused below the floor docs/bad-input.md states.
    @Test(arguments: [
        (["--retry-period", "1ns", "--renew-deadline", "1s", "--lease-duration", "2s"], "--retry-period 1ns is too short"),
        (["--renew-interval", "100ms"], "--renew-interval 100ms is too short"),
        (
            ["--lease-duration", "500ms", "--renew-deadline", "400ms", "--retry-period", "250ms", "--renew-interval", "250ms"],
            "--lease-duration 500ms is too short"
        ),
    ])
    func timingsThatWouldHammerTheStoreAreRefused(arguments: [String], message: String) throws {
        let error = try #require(try runError(["--id", "a"] + arguments))
        #expect(error.contains(message), "\(error)")
    }

    /// The demo's timings (scripts/demo.sh) and the tests' shortest stay allowed.
    @Test(arguments: [
        ["--lease-duration", "5s", "--renew-deadline", "3s", "--retry-period", "1s"],
        ["--lease-duration", "4s", "--renew-deadline", "2.5s", "--retry-period", "0.5s"],
        ["--lease-duration", "5s", "--renew-deadline", "3s", "--retry-period", "250ms"],
    ])
    func theDemosTimingsStayAllowed(arguments: [String]) throws {
        #expect(try runError(["--id", "a"] + arguments) == nil)
    }

    @Test func aNegativeTimingIsRefusedWithTheAppsOwnMessage() throws {
        let message = try #require(try runError(["--id", "a", "--retry-period=-5s"]))
        #expect(message.contains("invalid timings"), "\(message)")
    }

    // MARK: Identity (item 10)

    @Test(arguments: ["", "a\nI1121 forged", "a\u{1B}[2J", "bell\u{07}", "cr\rlf", "rtl\u{202E}x", "del\u{7F}"])
    func anIdentityMustBePrintableText(identity: String) throws {
        let message = try #require(try runError(["--id", identity]))
        #expect(message.contains("identity"), "\(message)")
    }

    @Test(arguments: ["cleopatra", "napoléon-1", "pod-7f9c/eu-west", "名前"])
    func printableIdentitiesAreKept(identity: String) throws {
        #expect(try runError(["--id", identity]) == nil)
    }

    // MARK: The token (item 8)

    @Test(arguments: ["ghp_secret\n", "  ghp_secret \r\n", "\tghp_secret"])
    func theTokenFromTheEnvironmentIsTrimmedAsTheFileIs(value: String) throws {
        let gist = try GistRunArguments.parse([]).settings(environment: ["LEADER_ELECTION_GITHUB_API_TOKEN": value])
        #expect(try gist.requireToken() == "ghp_secret")
        #expect(gist.tokenOrigin == "LEADER_ELECTION_GITHUB_API_TOKEN")
    }

    @Test(arguments: ["ghp_se\ncret", "ghp se cret", "ghp_sécret", "ghp_\u{7}x"])
    func aTokenThatCannotBeSentIsAnErrorAtStart(value: String) throws {
        let message = try #require(try gistError([], environment: ["LEADER_ELECTION_GITHUB_API_TOKEN": value]))
        #expect(message.contains("the token from LEADER_ELECTION_GITHUB_API_TOKEN holds characters an HTTP header cannot carry"))
        #expect(!message.contains("cret"), "the token is never printed")
    }

    @Test func aBlankVariableIsAnError() throws {
        let message = try #require(try gistError([], environment: ["LEADER_ELECTION_GITHUB_API_TOKEN": " \n"]))
        #expect(message.contains("holds only blanks"))
    }

    @Test func theTokenFileIsNamedAsTheOrigin() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try "ghp_x\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let gist = try GistRunArguments.parse(["--token-file", file.path]).settings(environment: [:])
        #expect(gist.tokenOrigin == "the token file \(file.path) (--token-file)")
    }

    // MARK: Plain http (item 7)

    @Test(arguments: ["http://10.0.0.1:8080", "http://gist.example.com", "http://127.evil.example"])
    func plainHTTPOffLoopbackIsRefused(url: String) throws {
        let message = try #require(try gistError(["--github-api-url", url]))
        #expect(message.contains("plain http on a host that is not loopback"), "\(message)")
        #expect(try gistError(["--github-api-url", url, "--allow-plain-http"]) == nil)
        #expect(try gistError(["--github-api-url", url], environment: ["LEADER_ELECTION_ALLOW_PLAIN_HTTP": "true"]) == nil)
    }

    @Test(arguments: ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:80", "https://ghe.example.com/api/v3"])
    func loopbackAndHTTPSNeedNoFlag(url: String) throws {
        #expect(try gistError(["--github-api-url", url]) == nil)
    }
}
