import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("POST /gists")
struct CreateGistTests {
    @Test("creates a secret gist and answers 201 in gist-simple shape with Location and ETag")
    func creates() async throws {
        try await GistServerFixture().test { client in
            let response = try await client.send(
                .post, "/gists", json: ##"{"description":"lock","public":false,"files":{"README.md":{"content":"# hi\n"}}}"##)
            #expect(response.status == .created)
            let gist = try response.jsonObject()
            let id = try #require(gist["id"] as? String)
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
            #expect(response.header("Location") == "http://localhost/gists/\(id)")
            #expect(gist["url"] as? String == "http://localhost/gists/\(id)")
            #expect(response.header("ETag")?.hasPrefix("W/\"") == true)
            #expect(gist["public"] as? Bool == false)
            #expect(gist["description"] as? String == "lock")
            #expect(gist["truncated"] as? Bool == false)
            #expect((gist["owner"] as? [String: Any])?["login"] as? String == AccessToken.defaultLogin)
            let file = try #require((gist["files"] as? [String: [String: Any]])?["README.md"])
            #expect(file["filename"] as? String == "README.md")
            #expect(file["type"] as? String == "text/markdown")
            #expect(file["language"] as? String == "Markdown")
            #expect(file["size"] as? Int == 5)
            #expect(file["truncated"] as? Bool == false)
            #expect(file["content"] as? String == "# hi\n")
            #expect(file["encoding"] as? String == "utf-8")
            #expect((file["raw_url"] as? String)?.hasSuffix("/README.md") == true)
            let history = try #require(gist["history"] as? [[String: Any]])
            #expect(history.count == 1)
            let version = try #require(history.first?["version"] as? String)
            #expect(version.count == 40 && version.allSatisfy(\.isHexDigit))
            #expect((history.first?["change_status"] as? [String: Int]) == ["total": 1, "additions": 1, "deletions": 0])
        }
    }

    @Test("`public` may be given as the string \"true\"; a missing description is null")
    func publicAsString() async throws {
        try await GistServerFixture().test { client in
            let response = try await client.send(.post, "/gists", json: #"{"public":"true","files":{"a.txt":{"content":"x"}}}"#)
            let gist = try response.jsonObject()
            #expect(gist["public"] as? Bool == true)
            #expect(gist["description"] is NSNull)
            #expect(gist["user"] is NSNull)
        }
    }

    @Test(
        "bodies GitHub refuses",
        arguments: [
            RefusedBody(name: "not JSON", body: "{files", status: .badRequest, message: "Problems parsing JSON"),
            RefusedBody(
                name: "no files", body: "{}", status: .unprocessableContent,
                message: "Invalid request.\n\n\"files\" wasn't supplied."),
            RefusedBody(
                name: "files not an object", body: #"{"files":"x"}"#, status: .unprocessableContent,
                message: "Invalid request.\n\nFor 'properties/files', \"x\" is not an object."),
            RefusedBody(name: "no file", body: #"{"files":{}}"#, status: .unprocessableContent, message: "Validation Failed"),
            RefusedBody(
                name: "empty content", body: #"{"files":{"a.txt":{"content":""}}}"#, status: .unprocessableContent,
                message: "Validation Failed"),
            RefusedBody(
                name: "content not a string", body: #"{"files":{"a.txt":{"content":5}}}"#, status: .unprocessableContent,
                message: "Invalid request.\n\nFor 'properties/content', 5 is not a string."),
            RefusedBody(
                name: "slash in filename", body: #"{"files":{"a/b":{"content":"x"}}}"#, status: .unprocessableContent,
                message: "Validation Failed"),
            RefusedBody(
                name: "public not boolean", body: #"{"public":"maybe","files":{"a":{"content":"x"}}}"#,
                status: .unprocessableContent,
                message: "Invalid request.\n\nFor 'properties/public', \"maybe\" is not a boolean or one of \"true\", \"false\"."),
        ])
    func refuses(_ invalid: RefusedBody) async throws {
        try await GistServerFixture().test { client in
            let response = try await client.send(.post, "/gists", json: invalid.body)
            #expect(response.status == invalid.status)
            let body = try response.jsonObject()
            #expect(body["message"] as? String == invalid.message)
            #expect(body["documentation_url"] as? String == "https://docs.github.com/rest/gists/gists#create-a-gist")
            #expect(body["status"] as? String == String(invalid.status.code))
            #expect(
                try await client.send(.get, "/_gist-server/stats").jsonObject()["byStatus"] as? [String: Int]
                    == [String(invalid.status.code): 1])
        }
    }

    @Test("without a token: 401 Requires authentication; with a token lacking the gist scope: 404")
    func needsScopedToken() async throws {
        try await GistServerFixture().test { client in
            let body = #"{"files":{"a.txt":{"content":"x"}}}"#
            let anonymous = try await client.send(.post, "/gists", json: body, headers: GistServerFixture.headers(token: nil))
            #expect(anonymous.status == .unauthorized)
            #expect(try anonymous.jsonObject()["message"] as? String == "Requires authentication")
            let unscoped = try await client.send(
                .post, "/gists", json: body, headers: GistServerFixture.headers(token: GistServerFixture.unscopedToken))
            #expect(unscoped.status == .notFound)
            #expect(try unscoped.jsonObject()["message"] as? String == "Not Found")
        }
    }
}
