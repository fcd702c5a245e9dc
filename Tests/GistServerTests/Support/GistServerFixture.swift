import Foundation
import GistServer
import LeaderElectionTestKit
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A server built exactly as `gist-server` builds it, with a manual clock and known tokens.
struct GistServerFixture {
    static let token = "test-token-with-gist-scope"
    static let otherToken = "second-test-token"
    static let unscopedToken = "test-token-without-gist-scope"

    let clock = ManualClock()
    var configuration: GistServerConfiguration
    let store: FileBackedGistStore

    init(configure: (inout GistServerConfiguration) -> Void = { _ in }) throws {
        var configuration = GistServerConfiguration(tokens: [
            AccessToken(value: Self.token, label: "token-1"),
            AccessToken(value: Self.otherToken, label: "token-2"),
            AccessToken(value: Self.unscopedToken, label: "no-gist-scope-1", hasGistScope: false),
        ])
        let clock = clock
        configuration.clock = clock
        configuration.now = { clock.wallTime }
        configure(&configuration)
        self.configuration = configuration
        self.store = try FileBackedGistStore(now: configuration.now)
    }

    /// Runs `test` against the router, without a socket.
    func test<Value: Sendable>(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let app = try await buildApplication(configuration: configuration, store: store)
        return try await app.test(.router, test)
    }

    /// Headers of a well-behaved client; `token: nil` sends no Authorization.
    static func headers(token: String? = GistServerFixture.token, extra: HTTPFields = [:]) -> HTTPFields {
        var fields: HTTPFields = [
            .userAgent: "gist-server-tests",
            .accept: "application/vnd.github+json",
            HTTPField.Name("X-GitHub-Api-Version")!: "2022-11-28",
        ]
        if let token { fields[.authorization] = "Bearer \(token)" }
        fields.append(contentsOf: extra)
        return fields
    }
}

extension TestClientProtocol {
    /// Sends a JSON body (given as text, so tests can send malformed JSON too).
    func send(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, headers: HTTPFields = GistServerFixture.headers()
    ) async throws -> TestResponse {
        try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Creates a gist with the given files and returns its JSON.
    func createGist(_ files: [String: String], description: String? = nil) async throws -> [String: Any] {
        var object: [String: Any] = ["public": false, "files": files.mapValues { ["content": $0] }]
        if let description { object["description"] = description }
        let body = try JSONSerialization.data(withJSONObject: object)
        let response = try await send(.post, "/gists", json: String(decoding: body, as: UTF8.self))
        #expect(response.status == .created)
        return try response.jsonObject()
    }

    /// Creates a private gist holding `files` and returns its id.
    func createGistID(_ files: [String: String] = ["a.txt": "x"]) async throws -> String {
        try #require(try await createGist(files)["id"] as? String)
    }
}

extension TestResponse {
    /// The body as a JSON object.
    func jsonObject() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any])
    }

    /// The body as a JSON array.
    func jsonArray() throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [[String: Any]])
    }

    /// A header by name.
    func header(_ name: String) -> String? {
        headers[HTTPField.Name(name)!]
    }
}

/// The files map of a gist body as filename to content.
func fileContents(_ gist: [String: Any]) -> [String: String] {
    let files = gist["files"] as? [String: [String: Any]] ?? [:]
    return files.mapValues { $0["content"] as? String ?? "" }
}

/// The history versions of a gist body, newest first.
func versions(_ gist: [String: Any]) -> [String] {
    (gist["history"] as? [[String: Any]] ?? []).compactMap { $0["version"] as? String }
}
