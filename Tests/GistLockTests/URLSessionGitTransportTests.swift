import Foundation
import Testing
@testable import GistLock
@testable import GitSmartHTTP

/// `URLSessionGitTransport` over real HTTP to the real git.
@Suite struct URLSessionGitTransportTests {
    static let token = "ghp_transportTestSecret"

    func writer(_ url: URL, token: String = token) throws -> GitGistWriter {
        GitGistWriter(
            transport: try URLSessionGitTransport.gist(repository: url, token: token),
            wallClock: { Date(timeIntervalSince1970: 1_800_000_000) })
    }

    @Test func pushLandsWithTheTokenAsBasicAuthPassword() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let parent = try await repository.head()
        let outcome = try await withGitHTTPServer(repository, token: Self.token) { url in
            try await writer(url.appendingPathComponent("gist.git")).replaceFile(
                named: "lock.json", with: Array("held".utf8), parent: parent)
        }
        #expect(outcome == .written(try await repository.head()))
        #expect(
            try await GitCommand.run(["-C", repository.directory.path, "cat-file", "blob", "main:lock.json"])
                == Array("held".utf8))
    }

    @Test func refusedTokenIsNamedAndNeverPrinted() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let parent = try await repository.head()
        let error = try await withGitHTTPServer(repository, token: Self.token) { url in
            await #expect(throws: GitProtocolError.self) {
                _ = try await writer(url.appendingPathComponent("gist.git"), token: "ghp_wrongSecret")
                    .replaceFile(named: "lock.json", with: Array("held".utf8), parent: parent)
            }
        }
        #expect(
            error?.description.hasPrefix(
                "git transport: GET info/refs?service=git-receive-pack answered 401: the token was refused; give a token that may write this gist"
            ) == true, "\(String(describing: error))")
        #expect(error?.description.contains("ghp_") == false)
        #expect(try await repository.head() == parent)
    }

    @Test func redirectIsRefusedNotFollowed() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let parent = try await repository.head()
        let error = try await withGitHTTPServer(repository, token: Self.token) { url in
            await #expect(throws: GitProtocolError.self) {
                _ = try await writer(url.appendingPathComponent("moved.git")).replaceFile(
                    named: "lock.json", with: Array("held".utf8), parent: parent)
            }
        }
        #expect(
            error?.description
                == "git transport: GET info/refs?service=git-receive-pack answered 302: a redirect, which is refused so the token stays with this host; give the URL it names"
        )
        #expect(try await repository.head() == parent)
    }
}
