import Foundation
import GistServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Stars, forks and comments")
struct StarForkCommentTests {
    let octocat = GistServerFixture.headers(token: GistListTests.octocat)

    @Test("PUT star, GET star 204, listed in /gists/starred; DELETE star, GET star 404")
    func stars() async throws {
        try await GistListTests.twoUsers().test { client in
            let id = try await client.createGistID()
            #expect(try await client.send(.get, "/gists/\(id)/star", headers: octocat).status == .notFound)
            #expect(try await client.send(.put, "/gists/\(id)/star", headers: octocat).status == .noContent)
            #expect(try await client.send(.get, "/gists/\(id)/star", headers: octocat).status == .noContent)
            let starred = try await client.send(.get, "/gists/starred", headers: octocat).jsonArray()
            #expect(starred.compactMap { $0["id"] as? String } == [id])
            #expect(try await client.send(.get, "/gists/starred").jsonArray().isEmpty)
            #expect(try await client.send(.delete, "/gists/\(id)/star", headers: octocat).status == .noContent)
            #expect(try await client.send(.get, "/gists/\(id)/star", headers: octocat).status == .notFound)
            let anonymous = try await client.send(.get, "/gists/starred", headers: GistServerFixture.headers(token: nil))
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test("a fork is a new gist of the caller's with the same files, listed in forks and fork_of")
    func forks() async throws {
        try await GistListTests.twoUsers().test { client in
            let id = try await client.createGistID(["a.txt": "original"])
            let forked = try await client.send(.post, "/gists/\(id)/forks", headers: octocat)
            #expect(forked.status == .created)
            let fork = try forked.jsonObject()
            let forkID = try #require(fork["id"] as? String)
            #expect(forkID != id)
            #expect(forked.header("Location")?.hasSuffix("/gists/\(forkID)") == true)
            #expect((fork["owner"] as? [String: Any])?["login"] as? String == "octocat")
            let copy = try await client.send(.get, "/gists/\(forkID)").jsonObject()
            #expect(fileContents(copy) == ["a.txt": "original"])
            #expect((copy["fork_of"] as? [String: Any])?["id"] as? String == id)
            let listed = try await client.send(.get, "/gists/\(id)/forks").jsonArray()
            #expect(listed.compactMap { $0["id"] as? String } == [forkID])
            let parent = try await client.send(.get, "/gists/\(id)").jsonObject()
            let forks = try #require(parent["forks"] as? [[String: Any]])
            #expect(forks.first?["id"] as? String == forkID)
            #expect((forks.first?["user"] as? [String: Any])?["login"] as? String == "octocat")
        }
    }

    @Test("comments: create 201, list, get, edit by the author only, delete; the gist counts them")
    func comments() async throws {
        try await GistListTests.twoUsers().test { client in
            let id = try await client.createGistID()
            let created = try await client.send(.post, "/gists/\(id)/comments", json: #"{"body":"first"}"#, headers: octocat)
            #expect(created.status == .created)
            let comment = try created.jsonObject()
            let commentID = try #require(comment["id"] as? Int)
            #expect(comment["author_association"] as? String == "NONE")
            #expect(created.header("Location") == comment["url"] as? String)
            #expect(try await client.send(.get, "/gists/\(id)").jsonObject()["comments"] as? Int == 1)
            let path = "/gists/\(id)/comments/\(commentID)"
            #expect(try await client.send(.get, path).jsonObject()["body"] as? String == "first")
            let byOwner = try await client.send(.patch, path, json: #"{"body":"hijack"}"#)
            #expect(byOwner.status == .notFound)
            let edited = try await client.send(.patch, path, json: #"{"body":"edited"}"#, headers: octocat)
            #expect(try edited.jsonObject()["body"] as? String == "edited")
            #expect(try await client.send(.get, "/gists/\(id)/comments").jsonArray().count == 1)
            // The gist's owner may delete a comment on it.
            #expect(try await client.send(.delete, path).status == .noContent)
            #expect(try await client.send(.get, path).status == .notFound)
        }
    }

    @Test("a comment without a body is 422; an empty one is 422 Validation Failed with errors")
    func badComments() async throws {
        try await GistServerFixture().test { client in
            let id = try await client.createGistID()
            let missing = try await client.send(.post, "/gists/\(id)/comments", json: "{}")
            #expect(missing.status == .unprocessableContent)
            #expect((try missing.jsonObject()["message"] as? String)?.contains("\"body\" wasn't supplied") == true)
            let empty = try await client.send(.post, "/gists/\(id)/comments", json: #"{"body":"  "}"#)
            #expect(empty.status == .unprocessableContent)
            let errors = try #require(try empty.jsonObject()["errors"] as? [[String: Any]])
            #expect(errors.first?["code"] as? String == "missing_field")
        }
    }
}
