import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("State file")
struct StateFileTests {
    @Test("every change is written, and a new store on the same file has the same gists")
    func survivesRestart() async throws {
        try await StateFiles.withDirectory { directory in
            let path = directory.appendingPathComponent("state.json").path
            let first = try FileBackedGistStore(stateFile: path)
            #expect(FileManager.default.fileExists(atPath: path))
            let gist = try await first.create(NewGist(description: "d", files: ["a.lock": "1", "b.txt": "keep"]), owner: "me")
            _ = try await first.update(
                id: gist.id, with: GistEdit(files: ["a.lock": .update(content: "2", filename: nil)]), by: "me")
            let doomed = try await first.create(NewGist(files: ["x": "y"]), owner: "me")
            #expect(try await first.delete(id: doomed.id))

            let second = try FileBackedGistStore(stateFile: path)
            #expect(await second.all() == first.all())
            let reloaded = try #require(await second.gist(id: gist.id))
            #expect(reloaded.files == ["a.lock": "2", "b.txt": "keep"])
            #expect(reloaded.revisions.count == 2)
            #expect(await second.gist(id: doomed.id) == nil)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            #expect(leftovers == ["state.json", "state.json.revisions"])
            let journals = try FileManager.default.contentsOfDirectory(atPath: path + ".revisions")
            #expect(journals == ["\(gist.id).jsonl"])
        }
    }

    @Test("a change appends one line of the files it changed, however long the history")
    func changesAreAppended() async throws {
        try await StateFiles.withDirectory { directory in
            let path = directory.appendingPathComponent("state.json").path
            let store = try FileBackedGistStore(stateFile: path)
            let large = String(repeating: "a line that stays as it is\n", count: 5_000)
            let gist = try await store.create(NewGist(files: ["a.lock": "0", "big.txt": large]), owner: "me")
            let journal = URL(fileURLWithPath: path + ".revisions/\(gist.id).jsonl")
            let first = try Data(contentsOf: journal).count
            for round in 1...20 {
                _ = try await store.update(
                    id: gist.id, with: GistEdit(files: ["a.lock": .update(content: "\(round)", filename: nil)]), by: "me")
            }
            let lines = try String(contentsOf: journal, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 21)
            #expect(lines.dropFirst().allSatisfy { !$0.contains("a line that stays") })
            #expect(try Data(contentsOf: journal).count - first < 20 * 400)
            let restarted = try FileBackedGistStore(stateFile: path)
            let reloaded = try #require(await restarted.gist(id: gist.id))
            #expect(reloaded == (await store.gist(id: gist.id)))
        }
    }

    @Test("a revision appended without its state file is dropped at the next start")
    func uncommittedLineIsDropped() async throws {
        try await StateFiles.withDirectory { directory in
            let path = directory.appendingPathComponent("state.json").path
            let store = try FileBackedGistStore(stateFile: path)
            let gist = try await store.create(NewGist(files: ["a.lock": "0"]), owner: "me")
            let committed = try Data(contentsOf: URL(fileURLWithPath: path))
            _ = try await store.update(
                id: gist.id, with: GistEdit(files: ["a.lock": .update(content: "1", filename: nil)]), by: "me")
            // As if the server died between the append and the state file's replacement.
            try committed.write(to: URL(fileURLWithPath: path))
            let restarted = try FileBackedGistStore(stateFile: path)
            let reloaded = try #require(await restarted.gist(id: gist.id))
            #expect(reloaded.files == ["a.lock": "0"])
            #expect(reloaded.revisions.count == 1)
            let lines = try String(contentsOfFile: path + ".revisions/\(gist.id).jsonl", encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 1)
        }
    }

    @Test("a version 1 state file, every revision inline, is read and rewritten as version 2")
    func versionOneIsRead() async throws {
        try await StateFiles.withDirectory { directory in
            let path = directory.appendingPathComponent("state.json").path
            try Data(StateFiles.versionOne.utf8).write(to: URL(fileURLWithPath: path))
            let store = try FileBackedGistStore(stateFile: path)
            let gist = try #require(await store.gist(id: "aa"))
            #expect(
                gist.revisions.map(\.version) == [
                    "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222",
                ])
            #expect(gist.files == ["a": "2"])
            let rewritten = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            #expect(rewritten?["version"] as? Int == 2)
            let again = try FileBackedGistStore(stateFile: path)
            #expect(await again.gist(id: "aa") == gist)
        }
    }

    @Test("a server restarted on the state file answers the same gist and versions")
    func serverRestart() async throws {
        try await StateFiles.withDirectory { directory in
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

    @Test(
        "a corrupt state file stops the start with an error naming the file and the fix",
        arguments: [
            "", "{not json", #"{"format":"something-else","version":1,"gists":[]}"#,
            #"{"format":"gist-server-state","version":1}"#,
        ])
    func corruptFile(_ contents: String) async throws {
        try await StateFiles.withDirectory { directory in
            let path = directory.appendingPathComponent("state.json").path
            try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: GistServerError.self) { try FileBackedGistStore(stateFile: path) }
            #expect(error.code == .corruptStateFile)
            #expect(error.description.contains(path))
            #expect(error.description.contains("move it aside"))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == contents)
        }
    }

    @Test("a state file in a missing directory is reported at start")
    func unwritable() async throws {
        try await StateFiles.withDirectory { directory in
            let path = directory.appendingPathComponent("missing/state.json").path
            let error = try #require(throws: GistServerError.self) { try FileBackedGistStore(stateFile: path) }
            #expect(error.code == .unwritableStateFile)
            #expect(error.description.contains(path))
        }
    }
}
