import Foundation
import Testing
@testable import GistLock
@testable import GitSmartHTTP

/// Answers that are not what git sends end in an error that says what came and what to change.
@Suite struct GitAnswerErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let path: String
        let answer: GitResponse
        let message: String
        var testDescription: String { name }
    }

    static func report(_ lines: [String]) -> [UInt8] {
        let inner = lines.flatMap { PktLine.encode($0 + "\n") } + PktLine.flushBytes
        return PktLine.encode([1] + inner) + PktLine.flushBytes
    }

    static let receiveResult = ["Content-Type": "application/x-git-receive-pack-result"]

    @Test(arguments: [
        Case(
            name: "an HTML page instead of the advertisement", path: "info/refs?service=git-receive-pack",
            answer: GitResponse(status: 200, headers: ["Content-Type": "text/html"], body: Array("<html>".utf8)),
            message:
                "git transport: GET info/refs?service=git-receive-pack answered text/html, not application/x-git-receive-pack-advertisement: the URL is not a git smart-HTTP repository"
        ),
        Case(
            name: "a refused token", path: "info/refs?service=git-receive-pack",
            answer: GitResponse(status: 401, body: Array("Invalid username or token.\n".utf8)),
            message:
                "git transport: GET info/refs?service=git-receive-pack answered 401: the token was refused; give a token that may write this gist (\"Invalid username or token.\")"
        ),
        Case(
            name: "a redirect", path: "info/refs?service=git-upload-pack",
            answer: GitResponse(status: 301, body: []),
            message:
                "git transport: GET info/refs?service=git-upload-pack answered 301: a redirect, which is refused so the token stays with this host; give the URL it names"
        ),
        Case(
            name: "the pack was not unpacked", path: "git-receive-pack",
            answer: GitResponse(
                status: 200, headers: receiveResult,
                body: report(["unpack index-pack abnormal exit", "ng refs/heads/main unpacker error"])),
            message: "git receive-pack report: receive-pack could not unpack the pack: unpack index-pack abnormal exit"
        ),
        Case(
            name: "no report at all", path: "git-receive-pack",
            answer: GitResponse(status: 200, headers: receiveResult, body: PktLine.flushBytes),
            message: "git receive-pack report: receive-pack sent no report-status (no `unpack` line)"
        ),
        Case(
            name: "a report without our ref", path: "git-receive-pack",
            answer: GitResponse(status: 200, headers: receiveResult, body: report(["unpack ok", "ok refs/heads/other"])),
            message: "git receive-pack report: receive-pack reported nothing for refs/heads/main"
        ),
        Case(
            name: "a report line git never sends", path: "git-receive-pack",
            answer: GitResponse(status: 200, headers: receiveResult, body: report(["unpack ok", "maybe refs/heads/main"])),
            message: "git receive-pack report: \"maybe refs/heads/main\" is neither `ok <ref>` nor `ng <ref> <reason>`"
        ),
        Case(
            name: "garbage from receive-pack", path: "git-receive-pack",
            answer: GitResponse(status: 200, headers: receiveResult, body: Array("Service Unavailable".utf8)),
            message:
                "git pkt-line: \"Serv\" at byte 0 is not a pkt-line length (4 hex digits); the server did not answer in git's protocol"
        ),
        Case(
            name: "a fatal error on side-band 3", path: "git-upload-pack",
            answer: GitResponse(
                status: 200, headers: ["Content-Type": "application/x-git-upload-pack-result"],
                body: PktLine.encode("NAK\n") + PktLine.encode([3] + Array("fatal: out of memory\n".utf8))
            ),
            message: "git upload-pack: the server stopped with: fatal: out of memory"
        ),
        Case(
            name: "a report line with control characters, a bidi override and quotes", path: "git-receive-pack",
            answer: GitResponse(
                status: 200, headers: receiveResult,
                body: report(["unpack ok", "maybe \u{1b}[2J\"main\"\r\u{85}\u{202E}"])),
            message:
                #"git receive-pack report: "maybe \u001b[2J\"main\"\r\u0085\u202e" is neither `ok <ref>` nor `ng <ref> <reason>`"#
        ),
        Case(
            name: "a fatal error on side-band 3 that would forge a log line", path: "git-upload-pack",
            answer: GitResponse(
                status: 200, headers: ["Content-Type": "application/x-git-upload-pack-result"],
                body: PktLine.encode("NAK\n") + PktLine.encode([3] + Array("fatal: gone\nlevel=info msg=forged\n".utf8))
            ),
            message: #"git upload-pack: the server stopped with: fatal: gone\nlevel=info msg=forged"#
        ),
    ])
    func malformedAnswerIsAClearError(_ test: Case) async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let before = try await repository.head()
        let transport = SubprocessGitTransport(
            repository: repository.directory,
            answer: { request in
                request.path == test.path ? test.answer : nil
            })
        let writer = GitGistWriter(transport: transport, wallClock: { Date(timeIntervalSince1970: 0) })
        let error = await #expect(throws: GitProtocolError.self) {
            _ = try await writer.replaceFile(named: "lock.json", with: Array("x".utf8), parent: before)
        }
        #expect(error?.description == test.message)
        #expect(try await repository.head() == before)
    }

    /// `GitSmartHTTP` alone speaks of a repository and a token; the gist's words are `GistLock`'s.
    @Test func theGitClientAloneNamesNoGist() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let before = try await repository.head()
        for (status, body) in [(401, "Invalid username or token.\n"), (403, "Forbidden"), (404, "Not Found")] {
            let transport = SubprocessGitTransport(
                repository: repository.directory, answer: { _ in GitResponse(status: status, body: Array(body.utf8)) })
            let writer = GitBranchWriter(
                transport: transport, branch: "main", author: "a", email: "a@localhost", agent: "test/1",
                wallClock: { Date(timeIntervalSince1970: 0) })
            let error = await #expect(throws: GitProtocolError.self) {
                _ = try await writer.write(named: "lock.json", content: Array("x".utf8), parent: before, parentTree: nil)
            }
            let message = try #require(error).description
            #expect(message.contains("repository") && !message.lowercased().contains("gist"), "\(message)")
        }
        let error = await #expect(throws: GitProtocolError.self) {
            _ = try await GitBranchWriter(
                transport: SubprocessGitTransport(repository: repository.directory), branch: "main", author: "a",
                email: "a@localhost", agent: "test/1", wallClock: { Date(timeIntervalSince1970: 0) }
            ).write(named: "a/b", content: [], parent: before, parentTree: nil)
        }
        #expect(error?.message == "\"a/b\" is not a file name at the top of a tree: give a name without `/`")
    }

    @Test func receivePackNgIsAConflictQuotingGit() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let transport = SubprocessGitTransport(
            repository: repository.directory,
            answer: { request in
                request.path == "git-receive-pack"
                    ? GitResponse(
                        status: 200, headers: Self.receiveResult,
                        body: Self.report(["unpack ok", "ng refs/heads/main pre-receive hook declined"]))
                    : nil
            })
        let outcome = try await GitGistWriter(transport: transport, wallClock: { Date(timeIntervalSince1970: 0) })
            .replaceFile(named: "lock.json", with: Array("x".utf8), parent: try await repository.head())
        #expect(outcome == .conflict(reason: "ng refs/heads/main pre-receive hook declined"))
    }

    @Test func uploadPackWithoutFilterSaysWhatToConfigure() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        try await GitCommand.run(["-C", repository.directory.path, "config", "uploadpack.allowFilter", "false"])
        let writer = GitGistWriter(
            transport: SubprocessGitTransport(repository: repository.directory), wallClock: { Date(timeIntervalSince1970: 0) })
        await #expect(
            throws: GitProtocolError(
                .fetch, "upload-pack does not offer the `filter` capability (git config uploadpack.allowFilter true)")
        ) {
            _ = try await writer.replaceFile(named: "lock.json", with: Array("x".utf8), parent: try await repository.head())
        }
    }

    @Test(arguments: ["", "..", "dir/lock.json"])
    func fileNameOutsideTheTopLevelIsRefusedBeforeAnyRequest(_ name: String) async throws {
        let transport = SubprocessGitTransport(
            repository: URL(fileURLWithPath: "/nonexistent"),
            beforeServing: { request in
                Issue.record("unexpected request \(request.path)")
            })
        let writer = GitGistWriter(transport: transport, wallClock: { Date(timeIntervalSince1970: 0) })
        await #expect(
            throws: GitProtocolError(
                .object, "\"\(name)\" is not a gist file name: a gist holds files at its top level, so give a name without `/`")
        ) {
            _ = try await writer.replaceFile(named: name, with: [], parent: .zero)
        }
    }

    @Test func noAnswerIsThrownNotCalledAConflict() async throws {
        struct Unreachable: Error {}
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let transport = SubprocessGitTransport(
            repository: repository.directory,
            beforeServing: { request in
                if request.path == "git-receive-pack" { throw Unreachable() }
            })
        let writer = GitGistWriter(transport: transport, wallClock: { Date(timeIntervalSince1970: 0) })
        await #expect(throws: Unreachable.self) {
            _ = try await writer.replaceFile(named: "lock.json", with: Array("x".utf8), parent: try await repository.head())
        }
    }
}
