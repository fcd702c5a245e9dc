import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GistLock
@testable import GitSmartHTTP
import LeaderElection
import LeaderElectionTestKit
import Logging
import Testing

/// `GistLock` writing by git push against a live gist-server whose gists are git repositories served
/// by the real git: the lock contract, writes by pushes only, renewals without REST, other files kept.
@Suite(.timeLimit(.minutes(3))) struct GitGistLockTests {
    static let token = "git-lock-token"

    struct Fixture: ResourceLockFixture {
        let apiURL: URL
        let gistID: String

        func client(timeout: Duration = .seconds(2)) -> GistClient {
            GistClient(
                apiURL: apiURL, token: GitGistLockTests.token, userAgent: "git-lock-test", timeout: timeout,
                apiVersion: GistClient.historyAPIVersion)
        }

        var pushURL: URL { apiURL.appendingPathComponent("\(gistID).git") }

        func gitLock(identity: String, timeout: Duration = .seconds(2)) throws -> GistLock {
            let transport = try URLSessionGitTransport.gist(repository: pushURL, token: GitGistLockTests.token, timeout: timeout)
            return GistLock(
                client: client(), gistID: gistID, election: "conformance", identity: identity,
                settleTime: .seconds(30), logger: Logger(label: "git-lock"),
                gitWriter: GitGistWriter(transport: transport, wallClock: { Date() }))
        }

        func lock(identity: String) async throws -> any ResourceLock { try gitLock(identity: identity) }

        func loseNextAnswer() async throws {
            // Held on the server's manual clock until the suite ends: the client's own timeout ends it.
            try await admin(
                "faults",
                body: #"{"responseDelayMs":3600000,"count":1,"methods":["POST"],"path":"/\#(gistID).git/git-receive-pack"}"#)
        }

        @discardableResult
        func admin(_ path: String, method: String = "POST", body: String? = nil) async throws -> Data {
            try await gistServerAdmin(apiURL, path, method: method, body: body)
        }

        /// `METHOD /route` to count, from gist-server's tally.
        func requestCounts() async throws -> [String: Int] {
            let data = try await admin("stats", method: "GET")
            let report = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return report?["byRoute"] as? [String: Int] ?? [:]
        }

        /// A clone by the real git, authenticated by the token in the URL.
        func clone() async throws -> URL {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clone-\(UUID().uuidString)")
            var components = URLComponents(url: pushURL, resolvingAgainstBaseURL: false)!
            components.user = "x"
            components.password = GitGistLockTests.token
            try await GitCommand.run(["clone", "--quiet", components.url!.absoluteString, directory.path])
            return directory
        }
    }

    /// Runs `body` with a live gist-server that keeps its gists as git repositories.
    func withGitServer(_ body: @escaping @Sendable (URL) async throws -> Void) async throws {
        try await withLiveGistServer(token: Self.token, gitRepositories: true, body)
    }

    func newGist(_ apiURL: URL) async throws -> Fixture {
        let maker = Fixture(apiURL: apiURL, gistID: "")
        // Creating a gist starts a repository: allow a machine busy with the other suites time for it.
        let gist = try await maker.client(timeout: .seconds(10)).createGist(
            description: "git lock", files: ["README.md": "not a lock"])
        return Fixture(apiURL: apiURL, gistID: gist.id)
    }

    @Test func conformsToTheResourceLockContractWritingByPush() async throws {
        try await withGitServer { apiURL in
            let failures = await ResourceLockConformance.failures { try await newGist(apiURL) }
            #expect(failures == [])
        }
    }

    @Test func writesArePushesOnlyAndRenewalsSendNoRESTRequest() async throws {
        try await withGitServer { apiURL in
            let fixture = try await newGist(apiURL)
            let lock = try fixture.gitLock(identity: "a")
            #expect(lock.writeMode == "git")
            #expect(try await lock.get() == nil)
            let claim = LeaderElectionRecord(
                holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: Date(), renewTime: Date(), leaderTransitions: 1)
            try await lock.create(claim)
            try await fixture.admin("reset-stats")
            var bytes = claim.jsonBytes()
            for second in 1...3 {
                var renewal = claim
                renewal.renewTime = Date().addingTimeInterval(Double(second))
                try await lock.update(renewal, expecting: bytes)
                bytes = renewal.jsonBytes()
            }
            let counts = try await fixture.requestCounts()
            #expect(counts.keys.allSatisfy { $0.contains(".git/") }, "REST requests during renewals: \(counts)")
            #expect(counts["POST /{gist_id}.git/git-receive-pack"] == 3)
            #expect(counts["POST /{gist_id}.git/git-upload-pack"] == nil, "the tree of our own commit is known")
            // REST shows the last push, named by its commit.
            let observed = try #require(try await fixture.gitLock(identity: "b").get())
            #expect(observed.raw == bytes)
        }
    }

    @Test func aClaimOnAStaleObservationIsRefusedByTheRepository() async throws {
        try await withGitServer { apiURL in
            let fixture = try await newGist(apiURL)
            let first = try fixture.gitLock(identity: "a")
            let second = try fixture.gitLock(identity: "b")
            _ = try await first.get()
            _ = try await second.get()
            let claim = { (who: String) in
                LeaderElectionRecord(
                    holderIdentity: who, leaseDurationSeconds: 15, acquireTime: Date(), renewTime: Date(), leaderTransitions: 1)
            }
            try await first.create(claim("a"))
            await #expect(throws: ResourceLockError.self) { try await second.create(claim("b")) }
            let holder = try #require(try await second.get()).record.holderIdentity
            #expect(holder == "a")
            #expect(try await fixture.requestCounts()["PATCH /gists/{gist_id}"] == nil)
        }
    }

    @Test func otherFilesStayByteForByteIncludingBinaryAndLargeOnes() async throws {
        try await withGitServer { apiURL in
            let fixture = try await newGist(apiURL)
            let work = try await fixture.clone()
            defer { try? FileManager.default.removeItem(at: work) }
            let binary = Data((0..<70_000).map { UInt8(($0 * 7919 + 13) % 256) })
            let large = Data(String(repeating: "a line of a file over one megabyte\n", count: 40_000).utf8)
            try binary.write(to: work.appendingPathComponent("logo.bin"))
            try large.write(to: work.appendingPathComponent("big.txt"))
            try await GitCommand.run(["-C", work.path, "add", "."])
            try await GitCommand.run(["-C", work.path, "commit", "--quiet", "-m", "files beside the lock"])
            try await GitCommand.run(["-C", work.path, "push", "--quiet", "origin", "HEAD:main"])

            let lock = try fixture.gitLock(identity: "a", timeout: .seconds(10))
            #expect(try await lock.get() == nil)
            let claim = LeaderElectionRecord(
                holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: Date(), renewTime: Date(), leaderTransitions: 1)
            try await lock.create(claim)

            try await GitCommand.run(["-C", work.path, "pull", "--quiet", "--ff-only", "origin", "main"])
            #expect(try Data(contentsOf: work.appendingPathComponent("logo.bin")) == binary)
            #expect(try Data(contentsOf: work.appendingPathComponent("big.txt")) == large)
            #expect(try Data(contentsOf: work.appendingPathComponent("conformance.lock")) == Data(claim.jsonBytes()))
            let parents = try await GitCommand.text(["-C", work.path, "log", "-1", "--format=%P"])
            let pushed = try await GitCommand.text(["-C", work.path, "rev-parse", "HEAD~1"])
            #expect(parents == pushed, "the lock's commit sits on the commit it observed")
        }
    }
}
