import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("File names a gist cannot hold")
struct FilenameTests {
    /// Names git cannot keep in a tree, or keeps but will not check out.
    static let refused: [String] = [
        "", " ", "../x", ".git/config", "a/b", "/", ".", "..", ".git", ".GIT", ".git.", ".git ", "git~1",
        String(repeating: "n", count: 300), "nul\u{0}name", "new\nline", "tab\there", "bell\u{7}",
    ]

    /// Names that look odd but git and GitHub hold without trouble.
    static let accepted: [String] = [
        "a.lock", ".gitignore", ".github", "...", "name with spaces", "ünïcödé.txt", "back\\slash",
        String(repeating: "n", count: 255),
    ]

    /// A server whose gists are real git repositories in a fresh directory, removed afterwards.
    private func withGitServer(
        _ body: @escaping @Sendable (any TestClientProtocol, FileBackedGistStore) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gist-names-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let repositories = try await GistRepositories(directory: directory.path)
        let store = try FileBackedGistStore(repositories: repositories)
        let configuration = GistServerConfiguration(tokens: [AccessToken(value: GistServerFixture.token, label: "token-1")])
        try await buildApplication(configuration: configuration, store: store).test(.router) { client in
            try await body(client, store)
        }
    }

    private static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// Checks GitHub's 422 shape: "Validation Failed" with one `invalid` entry for `files`.
    private static func expectRefusal(_ response: TestResponse, name: String) throws {
        #expect(response.status == .unprocessableContent, "\(name.debugDescription)")
        let body = try response.jsonObject()
        #expect(body["message"] as? String == "Validation Failed")
        let errors = try #require(body["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect(errors.first?["resource"] as? String == "Gist")
        #expect(errors.first?["field"] as? String == "files")
        #expect(errors.first?["code"] as? String == "invalid")
        #expect((errors.first?["message"] as? String)?.hasPrefix("Filename ") == true)
        #expect(body["status"] as? String == "422")
    }

    @Test("PATCH with such a name as a key or as filename answers 422 and the repository does not move", arguments: refused)
    func editRefused(_ name: String) async throws {
        try await withGitServer { client, store in
            let created = try await client.createGist(["lock.lock": "{}"])
            let id = try #require(created["id"] as? String)
            let head = try #require(store.repositories).path(of: id)
            let before = try await GitProcess.text(["-C", head.path, "rev-parse", "main"])
            let bodies: [[String: Any]] = [
                ["files": [name: ["content": "x"]]],
                ["files": ["lock.lock": ["filename": name]]],
                ["files": [name: NSNull()]],
            ]
            for body in bodies {
                let response = try await client.send(.patch, "/gists/\(id)", json: try Self.json(body))
                try Self.expectRefusal(response, name: name)
            }
            #expect(try await GitProcess.text(["-C", head.path, "rev-parse", "main"]) == before)
            let gist = try #require(await store.gist(id: id))
            #expect(gist.revisions.count == 1)
            #expect(gist.files == ["lock.lock": "{}"])
            // The gist stays writable: the refusal left nothing behind.
            let later = try await client.send(.patch, "/gists/\(id)", json: #"{"files":{"lock.lock":{"content":"1"}}}"#)
            #expect(later.status == .ok)
            _ = try await GitProcess.run(["-C", head.path, "fsck", "--strict"])
        }
    }

    @Test("POST /gists with such a name answers 422 and makes no gist", arguments: refused)
    func createRefused(_ name: String) async throws {
        try await withGitServer { client, store in
            let body = try Self.json(["files": [name: ["content": "x"], "ok.txt": ["content": "y"]]])
            try Self.expectRefusal(try await client.send(.post, "/gists", json: body), name: name)
            #expect(await store.all().isEmpty)
        }
    }

    @Test("the admin PUT refuses such a name with the same 422", arguments: refused.filter { !$0.isEmpty })
    func adminRefused(_ name: String) async throws {
        try await withGitServer { client, store in
            let created = try await client.createGist(["lock.lock": "{}"])
            let id = try #require(created["id"] as? String)
            let encoded = try #require(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let response = try await client.execute(
                uri: "/_gist-server/gists/\(id)/files/\(encoded)", method: .put, body: ByteBuffer(string: "x"))
            try Self.expectRefusal(response, name: name)
            #expect(await store.gist(id: id)?.revisions.count == 1)
        }
    }

    @Test("odd names git holds are accepted and committed", arguments: accepted)
    func oddButValid(_ name: String) async throws {
        try await withGitServer { client, store in
            let created = try await client.createGist([name: "x"])
            let id = try #require(created["id"] as? String)
            let edited = try await client.send(
                .patch, "/gists/\(id)", json: try Self.json(["files": [name: ["content": "y"]]]))
            #expect(edited.status == .ok)
            let repository = try #require(store.repositories).path(of: id)
            let names = try await GitProcess.text(["-C", repository.path, "ls-tree", "--name-only", "-z", "main"])
            #expect(names.split(separator: "\u{0}").map(String.init) == [name])
        }
    }
}
