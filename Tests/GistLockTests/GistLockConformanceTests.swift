import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GistLock
import LeaderElection
import LeaderElectionTestKit
import Logging
import Testing

/// `GistLock` keeps the `ResourceLock` contract against a live in-process gist-server; a lost answer is
/// gist-server's `responseDelayMs` fault on the PATCH, on the server's manual clock: the write lands and
/// its answer is held until the suite ends, so the client's own timeout (real: it runs inside URLSession,
/// which makes this suite live) is the only thing that ends the request, however slow the machine.
@Suite(.timeLimit(.minutes(2))) struct GistLockConformanceTests {
    static let token = "conformance-token"

    struct Fixture: ResourceLockFixture {
        let apiURL: URL
        let gistID: String

        /// A generous timeout: no answer is late here unless the suite holds it.
        func client(timeout: Duration = .seconds(5)) -> GistClient {
            GistClient(apiURL: apiURL, token: GistLockConformanceTests.token, userAgent: "conformance", timeout: timeout)
        }

        func lock(identity: String) async throws -> any ResourceLock {
            GistLock(
                client: client(), gistID: gistID, election: "conformance", identity: identity,
                settleTime: .milliseconds(100), logger: Logger(label: "conformance"))
        }

        func loseNextAnswer() async throws {
            try await addFault(#"{"responseDelayMs":3600000,"count":1,"methods":["PATCH"]}"#)
        }

        func addFault(_ json: String) async throws {
            try await gistServerAdmin(apiURL, "faults", body: json)
        }
    }

    func withLiveServer(_ body: @escaping @Sendable (URL) async throws -> Void) async throws {
        try await withLiveGistServer(token: Self.token, body)
    }

    @Test func conformsToTheResourceLockContract() async throws {
        try await withLiveServer { apiURL in
            let maker = Fixture(apiURL: apiURL, gistID: "")
            let failures = await ResourceLockConformance.failures {
                // A gist of its own per check, with another file beside the lock, as users keep them.
                let gist = try await maker.client(timeout: .seconds(5)).createGist(
                    description: "conformance", files: ["README.md": "not a lock"])
                return Fixture(apiURL: apiURL, gistID: gist.id)
            }
            #expect(failures == [])
        }
    }

    /// FoundationNetworking cuts libcurl's timeout to whole seconds (700ms would end every request at
    /// once); the client enforces its own. A prompt answer comes within 700ms; a held one never does, and
    /// the 700ms timeout ends the request.
    @Test func aSubSecondTimeoutIsHonouredExactly() async throws {
        try await withLiveServer { apiURL in
            let fixture = Fixture(apiURL: apiURL, gistID: "")
            let gist = try await fixture.client().createGist(description: "t", files: ["a": "b"])
            let quick = fixture.client(timeout: .milliseconds(700))
            guard case .modified(let read, _) = try await quick.getGist(gist.id, ifNoneMatch: nil) else {
                Issue.record("expected the gist")
                return
            }
            #expect(read.id == gist.id)
            try await fixture.addFault(#"{"latencyMs":3600000,"count":1,"methods":["GET"]}"#)
            await #expect {
                _ = try await quick.getGist(gist.id, ifNoneMatch: nil)
            } throws: { error in
                (error as? GitHubError)?.message.contains("no answer within the timeout") == true
            }
        }
    }
}
