import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import Testing
import LeaderElectionTestKit

@Suite("PATCH /gists/{id}")
struct UpdateGistTests {
    static let start = ["a.txt": "one\ntwo\n", "b.lock": "{}"]

    struct Edit: CustomTestStringConvertible, Sendable {
        let name: String
        let body: String
        let files: [String: String]
        let newVersion: Bool
        var testDescription: String { name }
    }

    @Test(
        "edits as GitHub applies them",
        arguments: [
            Edit(
                name: "new content; other files stay", body: #"{"files":{"a.txt":{"content":"one\nthree\n"}}}"#,
                files: ["a.txt": "one\nthree\n", "b.lock": "{}"], newVersion: true),
            Edit(name: "null deletes", body: #"{"files":{"b.lock":null}}"#, files: ["a.txt": "one\ntwo\n"], newVersion: true),
            Edit(
                name: "filename renames and keeps content", body: #"{"files":{"a.txt":{"filename":"c.txt"}}}"#,
                files: ["c.txt": "one\ntwo\n", "b.lock": "{}"], newVersion: true),
            Edit(
                name: "rename with new content", body: #"{"files":{"a.txt":{"filename":"c.txt","content":"z"}}}"#,
                files: ["c.txt": "z", "b.lock": "{}"], newVersion: true),
            Edit(
                name: "unknown name adds a file", body: #"{"files":{"new.lock":{"content":"x"}}}"#,
                files: ["a.txt": "one\ntwo\n", "b.lock": "{}", "new.lock": "x"], newVersion: true),
            Edit(
                name: "empty content deletes", body: #"{"files":{"b.lock":{"content":""}}}"#,
                files: ["a.txt": "one\ntwo\n"], newVersion: true),
            Edit(
                name: "object without content or filename deletes", body: #"{"files":{"b.lock":{}}}"#,
                files: ["a.txt": "one\ntwo\n"], newVersion: true),
            Edit(
                name: "swap two names", body: #"{"files":{"a.txt":{"filename":"b.lock"},"b.lock":{"filename":"a.txt"}}}"#,
                files: ["b.lock": "one\ntwo\n", "a.txt": "{}"], newVersion: true),
            Edit(
                name: "same content: no new version", body: #"{"files":{"b.lock":{"content":"{}"}}}"#,
                files: start, newVersion: false),
            Edit(
                name: "deleting an absent file: no new version", body: #"{"files":{"zzz":null}}"#, files: start, newVersion: false
            ),
            Edit(
                name: "description only: no new version", body: #"{"description":"new words"}"#, files: start, newVersion: false),
        ])
    func edits(_ edit: Edit) async throws {
        let fixture = try GistServerFixture()
        try await fixture.test { client in
            let created = try await client.createGist(Self.start)
            let id = try #require(created["id"] as? String)
            await fixture.clock.advance(by: .seconds(5))
            let response = try await client.send(.patch, "/gists/\(id)", json: edit.body)
            #expect(response.status == .ok)
            let gist = try response.jsonObject()
            #expect(fileContents(gist) == edit.files)
            let history = versions(gist)
            if edit.newVersion {
                #expect(history.count == 2)
                #expect(history.last == versions(created).first)
                #expect(history.first != history.last)
                #expect(history.first?.count == 40)
            } else {
                #expect(history == versions(created))
            }
            let read = try await client.send(.get, "/gists/\(id)").jsonObject()
            #expect(fileContents(read) == edit.files)
            #expect(versions(read) == history)
        }
    }

    @Test("history is newest first; returning to old content is a new version; updated_at follows the edit")
    func historyOrder() async throws {
        let fixture = try GistServerFixture()
        try await fixture.test { client in
            let created = try await client.createGist(["x.lock": "A"])
            let id = try #require(created["id"] as? String)
            await fixture.clock.advance(by: .seconds(10))
            _ = try await client.send(.patch, "/gists/\(id)", json: #"{"files":{"x.lock":{"content":"B"}}}"#)
            await fixture.clock.advance(by: .seconds(10))
            let gist = try await client.send(.patch, "/gists/\(id)", json: #"{"files":{"x.lock":{"content":"A"}}}"#).jsonObject()
            let history = try #require(gist["history"] as? [[String: Any]])
            #expect(history.count == 3)
            #expect(Set(versions(gist)).count == 3)
            #expect(
                history.map { $0["committed_at"] as? String } == [
                    "2023-11-14T22:13:40Z", "2023-11-14T22:13:30Z", "2023-11-14T22:13:20Z",
                ])
            #expect(gist["updated_at"] as? String == "2023-11-14T22:13:40Z")
            #expect(gist["created_at"] as? String == "2023-11-14T22:13:20Z")
            #expect((history[0]["change_status"] as? [String: Int]) == ["total": 2, "additions": 1, "deletions": 1])
        }
    }

    @Test(
        "edits GitHub refuses leave the gist unchanged",
        arguments: [
            RefusedBody(
                name: "rename onto an existing file", body: #"{"files":{"a.txt":{"filename":"b.lock"}}}"#,
                status: .unprocessableContent, message: "Validation Failed"),
            RefusedBody(
                name: "delete every file", body: #"{"files":{"a.txt":null,"b.lock":null}}"#,
                status: .unprocessableContent, message: "Validation Failed"),
            RefusedBody(name: "empty body", body: "", status: .unprocessableContent, message: "Validation Failed"),
            RefusedBody(name: "not JSON", body: "{", status: .badRequest, message: "Problems parsing JSON"),
            RefusedBody(
                name: "files not an object", body: #"{"files":[1]}"#, status: .unprocessableContent,
                message: "Invalid request.\n\nFor 'properties/files', [...] is not an object."),
            RefusedBody(
                name: "content not a string", body: #"{"files":{"a.txt":{"content":true}}}"#, status: .unprocessableContent,
                message: "Invalid request.\n\nFor 'properties/content', true is not a string."),
        ])
    func refuses(_ refusal: RefusedBody) async throws {
        try await GistServerFixture().test { client in
            let created = try await client.createGist(Self.start)
            let id = try #require(created["id"] as? String)
            let response = try await client.send(.patch, "/gists/\(id)", json: refusal.body)
            #expect(response.status == refusal.status)
            let body = try response.jsonObject()
            #expect(body["message"] as? String == refusal.message)
            #expect(body["documentation_url"] as? String == "https://docs.github.com/rest/gists/gists#update-a-gist")
            let read = try await client.send(.get, "/gists/\(id)").jsonObject()
            #expect(fileContents(read) == Self.start)
            #expect(versions(read) == versions(created))
        }
    }

    @Test("If-Match on PATCH is refused with 400, as GitHub refuses conditional headers in unsafe requests")
    func ifMatchRefused() async throws {
        try await GistServerFixture().test { client in
            let created = try await client.createGist(Self.start)
            let id = try #require(created["id"] as? String)
            let response = try await client.send(
                .patch, "/gists/\(id)", json: #"{"files":{"a.txt":{"content":"x"}}}"#,
                headers: GistServerFixture.headers(extra: [.ifMatch: "W/\"abc\""]))
            #expect(response.status == .badRequest)
            #expect(
                try response.jsonObject()["message"] as? String
                    == "Conditional request headers are not allowed in unsafe requests unless supported by the endpoint")
            #expect(fileContents(try await client.send(.get, "/gists/\(id)").jsonObject()) == Self.start)
        }
    }

    @Test("unknown gist 404; no token 401; token without gist scope 404 and nothing changes")
    func authorisation() async throws {
        try await GistServerFixture().test { client in
            let id = try await client.createGistID(Self.start)
            let body = #"{"files":{"a.txt":{"content":"x"}}}"#
            #expect(try await client.send(.patch, "/gists/ffffffffffffffffffffffffffffffff", json: body).status == .notFound)
            #expect(
                try await client.send(.patch, "/gists/\(id)", json: body, headers: GistServerFixture.headers(token: nil))
                    .status == .unauthorized)
            #expect(
                try await client.send(
                    .patch, "/gists/\(id)", json: body, headers: GistServerFixture.headers(token: GistServerFixture.unscopedToken)
                )
                .status == .notFound)
            #expect(fileContents(try await client.send(.get, "/gists/\(id)").jsonObject()) == Self.start)
        }
    }
}
