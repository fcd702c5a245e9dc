import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Content over 1 MB")
struct TruncationTests {
    @Test("content over 1 MB is cut to 1 MB and marked truncated; size and raw_url give the whole file")
    func truncatesAtOneMegabyte() async throws {
        try await GistServerFixture().test { client in
            let big = String(repeating: "0123456789abcdef", count: 65_536) + "tail"
            let created = try await client.createGist(["big.txt": big, "small.txt": "s"])
            let id = try #require(created["id"] as? String)
            let gist = try await client.send(.get, "/gists/\(id)").jsonObject()
            let files = try #require(gist["files"] as? [String: [String: Any]])
            let file = try #require(files["big.txt"])
            #expect(file["truncated"] as? Bool == true)
            #expect(file["size"] as? Int == big.utf8.count)
            #expect((file["content"] as? String)?.utf8.count == 1 << 20)
            #expect((file["content"] as? String).map { big.hasPrefix($0) } == true)
            #expect(files["small.txt"]?["truncated"] as? Bool == false)
            #expect(gist["truncated"] as? Bool == false)
            let rawURL = try #require(file["raw_url"] as? String)
            let raw = try await client.send(.get, String(rawURL.dropFirst("http://localhost".count)))
            #expect(raw.body.readableBytes == big.utf8.count)
        }
    }

    @Test("the cut never splits a character")
    func cutsOnCharacterBoundary() async throws {
        let fixture = try GistServerFixture { $0.inlineContentLimit = 10 }
        try await fixture.test { client in
            let created = try await client.createGist(["a.txt": "123456789éé"])
            let file = try #require((created["files"] as? [String: [String: Any]])?["a.txt"])
            #expect(file["content"] as? String == "123456789")
            #expect(file["size"] as? Int == 13)
            #expect(file["truncated"] as? Bool == true)
        }
    }
}
