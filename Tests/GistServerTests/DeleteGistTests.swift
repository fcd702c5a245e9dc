import GistServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("DELETE /gists/{id}")
struct DeleteGistTests {
    @Test("204, then the gist is gone (404 on read and on a second delete)")
    func deletes() async throws {
        try await GistServerFixture().test { client in
            let id = try await client.createGistID()
            let response = try await client.send(.delete, "/gists/\(id)")
            #expect(response.status == .noContent)
            #expect(response.body.readableBytes == 0)
            #expect(response.header("Cache-Control") == nil)
            #expect(try await client.send(.get, "/gists/\(id)").status == .notFound)
            #expect(try await client.send(.delete, "/gists/\(id)").status == .notFound)
        }
    }

    @Test("without a token 401, with a token lacking the gist scope 404; the gist stays")
    func needsScopedToken() async throws {
        try await GistServerFixture().test { client in
            let id = try await client.createGistID()
            #expect(
                try await client.send(.delete, "/gists/\(id)", headers: GistServerFixture.headers(token: nil)).status
                    == .unauthorized)
            #expect(
                try await client.send(
                    .delete, "/gists/\(id)", headers: GistServerFixture.headers(token: GistServerFixture.unscopedToken)
                ).status
                    == .notFound)
            #expect(try await client.send(.get, "/gists/\(id)").status == .ok)
        }
    }
}
