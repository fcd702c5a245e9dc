import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@Suite("Live socket")
struct LiveServerTests {
    @Test("on port 0 the server reports its real port, writes the ready file and answers over TCP")
    func liveOnPortZero() async throws {
        let readyFile = FileManager.default.temporaryDirectory.appendingPathComponent("gist-server-ready-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: readyFile) }
        var configuration = GistServerConfiguration(tokens: [AccessToken(value: GistServerFixture.token, label: "token-1")])
        configuration.port = 0
        let reported = Mutex<GistServerAddress?>(nil)
        let app = try await buildApplication(configuration: configuration) { address in
            reported.withLock { $0 = address }
            try? address.writeReadyFile(at: readyFile)
        }
        try await app.test(.live) { client in
            let created = try await client.createGist(["a.lock": "{}"])
            let id = try #require(created["id"] as? String)
            let read = try await client.send(.get, "/gists/\(id)")
            #expect(read.status == .ok)
            #expect(fileContents(try read.jsonObject()) == ["a.lock": "{}"])
            let address = try #require(reported.withLock { $0 })
            #expect(address.port == client.port)
            #expect(address.port != 0)
            #expect(try String(contentsOfFile: readyFile, encoding: .utf8) == address.url + "\n")
        }
    }
}
