import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("State file")
struct StateFileTests {
    /// A fresh directory for one test, removed afterwards.
    private func withDirectory(_ body: (URL) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gist-server-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory)
    }

    @Test("every change is written, and a new store on the same file has the same gists")
    func survivesRestart() async throws {
        try await withDirectory { directory in
            let path = directory.appendingPathComponent("state.json").path
            let first = try InMemoryGistStore(stateFile: path)
            #expect(FileManager.default.fileExists(atPath: path))
            let gist = try await first.create(NewGist(description: "d", files: ["a.lock": "1", "b.txt": "keep"]), owner: "me")
            _ = try await first.update(id: gist.id, with: GistEdit(files: ["a.lock": .update(content: "2", filename: nil)]), by: "me")
            let doomed = try await first.create(NewGist(files: ["x": "y"]), owner: "me")
            #expect(try await first.delete(id: doomed.id))

            let second = try InMemoryGistStore(stateFile: path)
            #expect(await second.all() == first.all())
            let reloaded = try #require(await second.gist(id: gist.id))
            #expect(reloaded.files == ["a.lock": "2", "b.txt": "keep"])
            #expect(reloaded.revisions.count == 2)
            #expect(await second.gist(id: doomed.id) == nil)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(leftovers == ["state.json"])
        }
    }

    @Test("a server restarted on the state file answers the same gist and versions")
    func serverRestart() async throws {
        try await withDirectory { directory in
            var configuration = GistServerConfiguration(tokens: [AccessToken(value: GistServerFixture.token, label: "token-1")])
            configuration.stateFile = directory.appendingPathComponent("state.json").path
            let before = try await buildApplication(configuration: configuration).test(.router) { client in
                try await client.createGist(["lock.lock": "{}"])
            }
            let id = try #require(before["id"] as? String)
            let after = try await buildApplication(configuration: configuration).test(.router) { client in
                try await client.send(.get, "/gists/\(id)").jsonObject()
            }
            #expect(fileContents(after) == ["lock.lock": "{}"])
            #expect(versions(after) == versions(before))
        }
    }

    @Test("a corrupt state file stops the start with an error naming the file and the fix", arguments: [
        "", "{not json", #"{"format":"something-else","version":1,"gists":[]}"#, #"{"format":"gist-server-state","version":1}"#,
    ])
    func corruptFile(_ contents: String) async throws {
        try await withDirectory { directory in
            let path = directory.appendingPathComponent("state.json").path
            try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: GistServerError.self) { try InMemoryGistStore(stateFile: path) }
            #expect(error.code == .corruptStateFile)
            #expect(error.description.contains(path))
            #expect(error.description.contains("move it aside"))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == contents)
        }
    }

    @Test("a state file in a missing directory is reported at start")
    func unwritable() async throws {
        try await withDirectory { directory in
            let path = directory.appendingPathComponent("missing/state.json").path
            let error = try #require(throws: GistServerError.self) { try InMemoryGistStore(stateFile: path) }
            #expect(error.code == .unwritableStateFile)
            #expect(error.description.contains(path))
        }
    }
}
