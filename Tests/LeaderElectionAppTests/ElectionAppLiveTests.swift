import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GistServer
import Hummingbird
import HummingbirdTesting
import LeaderElection
import Logging
import Testing

@testable import leader_election

/// Live: the app's composition root run as `leader-election run` runs it, with the elector on the real
/// clock against an in-process gist-server on a free port, and the built binary sent SIGINT. Waits are
/// for events (the lock's holder, the end of the run), each under a ceiling far above what it needs.
@Suite("ElectionApp against a live gist-server", .serialized, .timeLimit(.minutes(1)))
struct ElectionAppLiveTests {
    static let token = "app-token"
    /// The test's own reads go with another token, so they never count against the app's limits.
    static let observer = "observer-token"

    /// A live gist-server without git (REST writes), and a gist with a file beside the lock.
    private func withServer(_ body: @escaping @Sendable (_ api: URL, _ gistID: String) async throws -> Void) async throws {
        var configuration = GistServerConfiguration(tokens: [
            AccessToken(value: Self.token, label: "token-1"), AccessToken(value: Self.observer, label: "token-2"),
        ])
        configuration.port = 0
        let app = try await buildApplication(configuration: configuration)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let api = try #require(URL(string: "http://127.0.0.1:\(port)"))
            let created = try await Self.call(api, "POST", "/gists", body: #"{"files":{"notes.md":{"content":"keep"}}}"#)
            try await body(api, try #require(created["id"] as? String))
        }
    }

    private static func call(_ api: URL, _ method: String, _ path: String, body: String? = nil) async throws -> [String: Any] {
        var request = URLRequest(url: api.appendingPathComponent(path))
        request.httpMethod = method
        request.setValue("Bearer \(observer)", forHTTPHeaderField: "Authorization")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// The holder the lock file names; nil while there is no lock file.
    private static func holder(_ api: URL, _ gistID: String) async throws -> String? {
        let gist = try await call(api, "GET", "/gists/\(gistID)")
        let name = "\(GistSettings.defaultElection).lock"
        guard let files = gist["files"] as? [String: Any], let lock = files[name] as? [String: Any],
            let content = lock["content"] as? String,
            let record = try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any]
        else { return nil }
        return record["holderIdentity"] as? String
    }

    /// Waits for `operation` for at most `seconds` (a ceiling for a live wait, far above what it needs);
    /// past it the test fails instead of hanging, and the operation is cancelled.
    private static func within<T: Sendable>(
        _ seconds: Int, _ what: String, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw CeilingPassed(description: "no \(what) within \(seconds)s")
            }
            return value
        }
    }

    struct CeilingPassed: Error, CustomStringConvertible { let description: String }

    /// Waits until the lock names `identity`.
    private static func waitForHolder(_ identity: String, _ api: URL, _ gistID: String) async throws {
        try await within(30, "lock held by \(identity)") {
            while try await holder(api, gistID) != identity { try await Task.sleep(for: .milliseconds(50)) }
            return true
        }
    }

    private static func settings(_ api: URL, _ gistID: String, http: Bool) throws -> (GistSettings, RunSettings) {
        let environment = ["LEADER_ELECTION_GITHUB_API_TOKEN": token]
        let gist = try GistRunArguments.parse([
            "--gist", gistID, "--github-api-url", api.absoluteString, "--write-mode", "rest", "--takeover-settle", "0s",
        ]).settings(environment: environment)
        var flags = ["--id", "napoleon", "--lease-duration", "4s", "--renew-deadline", "2500ms", "--retry-period", "500ms"]
        if http { flags += ["--http", "127.0.0.1:0"] }
        return (gist, try RunSettings(RunOptions.parse(flags), election: gist.election, environment: environment))
    }

    @Test func buildMakesTheElectorAndTheEndpointOnlyWhenAskedFor() async throws {
        try await withServer { api, gistID in
            let logger = Logger(label: "app-test")
            let (gist, withHTTP) = try Self.settings(api, gistID, http: true)
            let both = try await ElectionApp.build(store: GistStore(settings: gist), run: withHTTP, logger: logger)
            #expect(both.services.count == 2)
            #expect(both.services.first is LeaderElector)
            let (_, alone) = try Self.settings(api, gistID, http: false)
            let elector = try await ElectionApp.build(store: GistStore(settings: gist), run: alone, logger: logger)
            #expect(elector.services.count == 1)
            // Building reads the lock once and writes nothing.
            #expect(try await Self.holder(api, gistID) == nil)
        }
    }

    @Test func buildStopsAtAGistThatDoesNotExistWithOneClearError() async throws {
        try await withServer { api, _ in
            let (gist, run) = try Self.settings(api, "0123456789abcdef0123", http: false)
            await #expect {
                _ = try await ElectionApp.build(store: GistStore(settings: gist), run: run, logger: Logger(label: "app-test"))
            } throws: { error in
                "\(error)".contains("0123456789abcdef0123")
            }
        }
    }

    /// SIGINT is sent to the built `leader-election` beside this test bundle: a signal raised inside the
    /// test process would meet the test runner's own signal mask, not the app's.
    @Test func sigintEndsTheRunAndTheLeaseIsReleased() async throws {
        let tests = try #require(Bundle.main.executableURL, "the test bundle's path")
        let binary = tests.deletingLastPathComponent().appendingPathComponent("leader-election")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build it first: swift build")
        try await withServer { api, gistID in
            let process = Process()
            process.executableURL = binary
            process.arguments = [
                "run", "--id", "napoleon", "--gist", gistID, "--github-api-url", api.absoluteString, "--write-mode", "rest",
                "--lease-duration", "4s", "--renew-deadline", "2500ms", "--retry-period", "500ms", "--takeover-settle", "0s",
            ]
            process.environment = ["LEADER_ELECTION_GITHUB_API_TOKEN": Self.token]
            process.standardError = FileHandle.nullDevice
            let exited = AsyncStream<Int32> { continuation in
                process.terminationHandler = {
                    continuation.yield($0.terminationStatus)
                    continuation.finish()
                }
            }
            try process.run()
            defer { if process.isRunning { process.terminate() } }
            try await Self.waitForHolder("napoleon", api, gistID)
            process.interrupt()
            let status = try await Self.within(30, "exit after SIGINT") { await exited.first { _ in true } ?? -1 }
            #expect(status == 0)
            #expect(try await Self.holder(api, gistID) == "")
        }
    }

    @Test func aGistDeletedUnderTheLeaderStopsTheRunWithThePermanentFailure() async throws {
        try await withServer { api, gistID in
            let (gist, run) = try Self.settings(api, gistID, http: false)
            let app = try await ElectionApp.build(store: GistStore(settings: gist), run: run, logger: Logger(label: "app-test"))
            let running = Task { try await app.run() }
            defer { running.cancel() }
            try await Self.waitForHolder("napoleon", api, gistID)
            _ = try? await Self.call(api, "DELETE", "/gists/\(gistID)")
            let ceiling = Task {
                try await Task.sleep(for: .seconds(30))
                running.cancel()
            }
            defer { ceiling.cancel() }
            await #expect(throws: PermanentFailure.self) { try await running.value }
            #expect(await app.stopper.failure != nil)
        }
    }
}
