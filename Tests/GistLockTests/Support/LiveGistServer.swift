import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GistServer
import Hummingbird
import HummingbirdTesting
import LeaderElectionTestKit
import Testing

/// Runs `body` with the API address of a live in-process gist-server on a free port that accepts
/// `token`, whose injected delays wait on a manual clock; held answers are let go before the server
/// shuts down. With `gitRepositories`, it keeps its gists as git repositories in a fresh folder.
func withLiveGistServer(
    token: String, gitRepositories: Bool = false, _ body: @escaping @Sendable (URL) async throws -> Void
) async throws {
    let clock = ManualClock()
    var configuration = GistServerConfiguration(tokens: [AccessToken(value: token, label: "token-1")])
    configuration.port = 0
    configuration.clock = clock
    if gitRepositories {
        configuration.repositoriesDirectory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("gist-repositories-\(UUID().uuidString)").path
    }
    let app = try await buildApplication(configuration: configuration)
    try await app.test(.live) { client in
        let port = try #require(client.port)
        do {
            try await body(try #require(URL(string: "http://127.0.0.1:\(port)")))
        } catch {
            await clock.advance(by: .seconds(3600))
            throw error
        }
        await clock.advance(by: .seconds(3600))
    }
}

/// `METHOD /_gist-server/<path>` on the gist-server at `apiURL`, with a JSON body; the answer's body,
/// which must come with a 2xx status.
@discardableResult
func gistServerAdmin(_ apiURL: URL, _ path: String, method: String = "POST", body: String? = nil) async throws -> Data {
    var request = URLRequest(url: apiURL.appendingPathComponent("_gist-server/\(path)"))
    request.httpMethod = method
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.httpBody = body.map { Data($0.utf8) }
    let (data, response) = try await URLSession.shared.data(for: request)
    try #require(((response as? HTTPURLResponse)?.statusCode ?? 0) < 300)
    return data
}
