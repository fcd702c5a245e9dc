import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Chaos faults over a live socket")
struct ChaosFaultLiveTests {
    private func liveApplication() async throws -> some ApplicationProtocol {
        var configuration = GistServerConfiguration(tokens: [AccessToken(value: GistServerFixture.token, label: "token-1")])
        configuration.port = 0
        return try await buildApplication(configuration: configuration)
    }

    @Test("blackhole drop closes the connection without an answer")
    func drop() async throws {
        try await liveApplication().test(.live) { client in
            _ = try await client.send(.post, "/_gist-server/faults", json: #"{"blackhole":"drop","count":1,"path":"/gists/"}"#)
            await #expect(throws: (any Error).self) { _ = try await client.send(.get, "/gists/abc") }
        }
    }

    @Test("a delayed write lands although its client gave up waiting")
    func lateWriteLands() async throws {
        try await liveApplication().test(.live) { client in
            let id = try await client.createGistID(["a.lock": "a"])
            _ = try await client.send(.post, "/_gist-server/faults", json: #"{"methods":["PATCH"],"latencyMs":600,"count":1}"#)
            let port = try #require(client.port)
            let impatient = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .milliseconds(150)))
            impatient.connect()
            let patch = TestClient.Request(
                "/gists/\(id)", method: .patch, headers: GistServerFixture.headers(),
                body: ByteBuffer(string: #"{"files":{"a.lock":{"content":"late"}}}"#))
            await #expect(throws: (any Error).self) { _ = try await impatient.execute(patch) }
            try? await impatient.shutdown()
            var content = ""
            for _ in 0..<50 where content != "late" {
                try await Task.sleep(for: .milliseconds(100))
                content = fileContents(try await client.send(.get, "/gists/\(id)").jsonObject())["a.lock"] ?? ""
            }
            #expect(content == "late")
        }
    }
}
