import Foundation
import GistServer
import LeaderElectionTestKit
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Chaos faults: stale reads, slow writes, blackholes, raw edits")
struct ChaosFaultTests {
    private static let patchB = #"{"files":{"a.lock":{"content":"b"}}}"#
    private static let patchC = #"{"files":{"a.lock":{"content":"c"}}}"#

    /// A gist whose a.lock went through "a", "b", "c"; returns its id and versions, oldest first.
    private func historyOfThree(_ client: some TestClientProtocol, _ clock: ManualClock) async throws -> (String, [String]) {
        let id = try await client.createGistID(["a.lock": "a", "keep.txt": "k"])
        await clock.advance(by: .seconds(1))
        #expect(try await client.send(.patch, "/gists/\(id)", json: Self.patchB).status == .ok)
        await clock.advance(by: .seconds(1))
        let latest = try await client.send(.patch, "/gists/\(id)", json: Self.patchC).jsonObject()
        return (id, versions(latest).reversed())
    }

    /// Runs `body` against a fresh server holding a gist whose a.lock holds "a", once `fault` is posted.
    private static func withLockGist(
        fault: String, _ body: @escaping @Sendable (any TestClientProtocol, GistServerFixture, String) async throws -> Void
    ) async throws {
        let fixture = try GistServerFixture()
        try await fixture.test { client in
            let id = try await client.createGistID(["a.lock": "a"])
            _ = try await client.send(.post, "/_gist-server/faults", json: fault)
            try await body(client, fixture, id)
        }
    }

    @Test("staleRevisions answers GET with an older revision, for `count` reads, and leaves writes alone")
    func staleRevisions() async throws {
        let fixture = try GistServerFixture()
        try await fixture.test { client in
            let (id, history) = try await historyOfThree(client, fixture.clock)
            let current = try await client.send(.get, "/gists/\(id)")
            _ = try await client.send(.post, "/_gist-server/faults", json: #"{"staleRevisions":1,"count":2}"#)
            #expect(try await client.send(.patch, "/gists/\(id)", json: #"{"description":"x"}"#).status == .ok)
            let stale = try await client.send(.get, "/gists/\(id)")
            let body = try stale.jsonObject()
            #expect(fileContents(body) == ["a.lock": "b", "keep.txt": "k"])
            #expect(versions(body) == [history[1], history[0]])
            #expect(stale.header("ETag") != current.header("ETag"))
            let older = try await client.send(.get, "/gists/\(id)")
            #expect(fileContents(try older.jsonObject())["a.lock"] == "b")
            #expect(fileContents(try await client.send(.get, "/gists/\(id)").jsonObject())["a.lock"] == "c")
        }
    }

    @Test("serveVersion freezes GET answers at one version until the faults are cleared")
    func frozenReplica() async throws {
        let fixture = try GistServerFixture()
        try await fixture.test { client in
            let (id, history) = try await historyOfThree(client, fixture.clock)
            _ = try await client.send(.post, "/_gist-server/faults", json: #"{"serveVersion":"\#(history[0].prefix(10))"}"#)
            for _ in 0..<3 {
                let body = try await client.send(.get, "/gists/\(id)").jsonObject()
                #expect(fileContents(body)["a.lock"] == "a")
                #expect(versions(body) == [history[0]])
            }
            _ = try await client.send(.delete, "/_gist-server/faults")
            #expect(fileContents(try await client.send(.get, "/gists/\(id)").jsonObject())["a.lock"] == "c")
        }
    }

    @Test("responseDelayMs applies the write at once and answers only after the delay")
    func writeLandsBeforeAnswer() async throws {
        try await Self.withLockGist(fault: #"{"methods":["PATCH"],"responseDelayMs":9000,"count":1}"#) {
            client, fixture, id async throws in
            async let answer = client.send(.patch, "/gists/\(id)", json: Self.patchB)
            await fixture.clock.waitForSleepers(atLeast: 1)
            #expect(await fixture.store.gist(id: id)?.files["a.lock"] == "b")
            await fixture.clock.advance(by: .seconds(9))
            #expect(try await answer.status == .ok)
        }
    }

    @Test("latencyMs without a status delays a write, which then lands")
    func delayedWriteLands() async throws {
        try await Self.withLockGist(fault: #"{"methods":["PATCH"],"latencyMs":3000}"#) { client, fixture, id async throws in
            async let answer = client.send(.patch, "/gists/\(id)", json: Self.patchB)
            await fixture.clock.waitForSleepers(atLeast: 1)
            #expect(await fixture.store.gist(id: id)?.files["a.lock"] == "a")
            await fixture.clock.advance(by: .seconds(3))
            #expect(try await answer.status == .ok)
            #expect(await fixture.store.gist(id: id)?.files["a.lock"] == "b")
        }
    }

    @Test("a held request is never handled, and the tally counts it as unanswered")
    func holdNeverHandles() async throws {
        try await Self.withLockGist(fault: #"{"token":"token-1","blackhole":"hold","latencyMs":5000,"count":1}"#) {
            client, fixture, id async throws in
            async let held = client.send(.patch, "/gists/\(id)", json: Self.patchB)
            await fixture.clock.waitForSleepers(atLeast: 1)
            await fixture.clock.advance(by: .seconds(5))
            _ = try await held
            #expect(await fixture.store.gist(id: id)?.files["a.lock"] == "a")
            let stats = try await client.send(.get, "/_gist-server/stats").jsonObject()
            #expect((stats["byRoute"] as? [String: Int])?["PATCH blackhole"] == 1)
        }
    }

    @Test("PUT /_gist-server/gists/ID/files/NAME replaces one file's raw content as a new revision")
    func rawEdit() async throws {
        try await GistServerFixture().test { client in
            let id = try #require(
                try await client.createGist(["a.lock": #"{"holderIdentity":"x"}"#, "keep.txt": "k"])["id"] as? String)
            let truncated = #"{"holderIdentity":"#
            let put = try await client.send(.put, "/_gist-server/gists/\(id)/files/a.lock", json: truncated)
            #expect(put.status == .ok)
            let body = try await client.send(.get, "/gists/\(id)").jsonObject()
            #expect(fileContents(body) == ["a.lock": truncated, "keep.txt": "k"])
            #expect(versions(body).count == 2)
            #expect(try await client.send(.put, "/_gist-server/gists/nope/files/a.lock", json: "x").status == .notFound)
        }
    }

    @Test(
        "chaos faults that contradict themselves are refused",
        arguments: [
            (#"{"staleRevisions":0}"#, 422), (#"{"serveVersion":"xyz"}"#, 422), (#"{"blackhole":"drop","status":503}"#, 422),
            (#"{"blackhole":"sideways"}"#, 400), (#"{"staleRevisions":1,"status":500}"#, 422),
            (#"{"staleRevisions":1,"serveVersion":"abcdef0"}"#, 422), (#"{"responseDelayMs":-1}"#, 422),
        ])
    func refusesContradictions(_ body: String, _ status: Int) async throws {
        try await GistServerFixture().test { client in
            let response = try await client.send(.post, "/_gist-server/faults", json: body)
            #expect(Int(response.status.code) == status)
            #expect(try await client.send(.get, "/_gist-server/faults").jsonArray().isEmpty)
        }
    }
}
