import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import Testing

/// A gist with 100,000 revisions: answers stay bounded (`history` shows the newest ten, the commits list
/// pages), and a write appends one journal line instead of rewriting the history.
@Suite(.timeLimit(.minutes(3))) struct LongHistoryTests {
    static let revisions = 100_000

    /// A version 2 state file whose gist has `count` revisions of its lock file, written directly.
    static func stateFile(in directory: URL, id: String, count: Int) throws -> String {
        let path = directory.appendingPathComponent("state.json").path
        try FileManager.default.createDirectory(atPath: path + ".revisions", withIntermediateDirectories: true)
        var journal = ""
        journal.reserveCapacity(count * 200)
        for index in 0..<count {
            let version = String(format: "%040x", index + 1)
            let files = index == 0 ? #"{"README.md":"notes","a.lock":"0"}"# : #"{"a.lock":"\#(index)"}"#
            journal +=
                #"{"additions":1,"committedAt":"2026-01-01T00:00:00Z","committerLogin":"gist-server-user","deletions":"#
                + #"\#(index == 0 ? 0 : 1),"files":\#(files),"version":"\#(version)"}"# + "\n"
        }
        try Data(journal.utf8).write(to: URL(fileURLWithPath: path + ".revisions/\(id).jsonl"))
        let state =
            #"{"format":"gist-server-state","version":2,"gists":[{"id":"\#(id)","ownerLogin":"gist-server-user","#
            + #""isPublic":false,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","revisionCount":\#(count)}]}"#
        try Data(state.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func answersStayBoundedAndAWriteAppendsOneLine() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("long-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let id = String(repeating: "ab", count: 16)
        let path = try Self.stateFile(in: directory, id: id, count: Self.revisions)
        var configuration = GistServerConfiguration(tokens: [AccessToken(value: GistServerFixture.token, label: "token-1")])
        configuration.stateFile = path
        let app = try await buildApplication(configuration: configuration)
        try await app.test(.router) { client in
            let gist = try await client.send(.get, "/gists/\(id)")
            #expect(gist.status == .ok)
            #expect(gist.body.readableBytes < 16_000)
            let body = try gist.jsonObject()
            #expect(fileContents(body)["a.lock"] == "\(Self.revisions - 1)")
            #expect(versions(body).count == 10)
            #expect(versions(body).first == String(format: "%040x", Self.revisions))

            let last = try await client.send(.get, "/gists/\(id)/commits?per_page=100&page=1000")
            #expect(try last.jsonArray().count == 100)
            #expect(try last.jsonArray().last?["version"] as? String == String(format: "%040x", 1))
            #expect(last.header("Link")?.contains("rel=\"first\"") == true)

            let before = try Data(contentsOf: URL(fileURLWithPath: path + ".revisions/\(id).jsonl")).count
            let edit = try await client.send(.patch, "/gists/\(id)", json: #"{"files":{"a.lock":{"content":"new"}}}"#)
            #expect(edit.status == .ok)
            let after = try Data(contentsOf: URL(fileURLWithPath: path + ".revisions/\(id).jsonl")).count
            #expect(after - before < 400, "one short line appended, not the history rewritten")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count < 1_000)
        }
    }
}
