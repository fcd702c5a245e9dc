import Foundation
import Testing
@testable import GistLock
@testable import GitSmartHTTP

/// `GitGistWriter` against real git: upload-pack and receive-pack check every byte it sends.
@Suite struct GitGistWriterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let newLock = Array(#"{"holderIdentity":"b","leaderTransitions":1}"#.utf8)

    func writer(_ transport: some GitTransport) -> GitGistWriter {
        GitGistWriter(transport: transport, wallClock: { Self.now })
    }

    @Test func pushOnTheObservedCommitChangesOnlyThatFile() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let parent = try await repository.head()
        let outcome = try await writer(SubprocessGitTransport(repository: repository.directory))
            .replaceFile(named: "lock.json", with: Self.newLock, parent: parent)
        let head = try await repository.head()
        #expect(outcome == .written(head))
        let git = ["-C", repository.directory.path]
        #expect(try await GitCommand.text(git + ["rev-parse", "main^"]) == parent.hex)
        #expect(
            try await GitCommand.text(git + ["diff-tree", "-r", "--name-only", "--no-commit-id", "main^", "main"]) == "lock.json")
        #expect(try await GitCommand.run(git + ["cat-file", "blob", "main:lock.json"]) == Self.newLock)
        for (name, content) in BareRepository.files where name != "lock.json" {
            #expect(
                try await GitCommand.text(git + ["rev-parse", "main:\(name)"])
                    == (try await GitCommand.text(git + ["rev-parse", "main^:\(name)"])))
            #expect(try await GitCommand.run(git + ["cat-file", "blob", "main:\(name)"]) == content)
        }
        #expect(
            try await GitCommand.text(git + ["log", "-1", "--format=%an <%ae> %at %s"])
                == "leader-election <leader-election@localhost> 1800000000 Update lock.json")
        try await GitCommand.run(git + ["fsck", "--strict", "--no-dangling"])
    }

    @Test func aGistWhoseOnlyBranchIsMasterIsWrittenThere() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let git = ["-C", repository.directory.path]
        try await GitCommand.run(git + ["branch", "-m", "main", "master"])
        let parent = GitObjectID(hex: try await GitCommand.text(git + ["rev-parse", "refs/heads/master"]))!
        let outcome = try await writer(SubprocessGitTransport(repository: repository.directory))
            .replaceFile(named: "lock.json", with: Self.newLock, parent: parent)
        let head = GitObjectID(hex: try await GitCommand.text(git + ["rev-parse", "refs/heads/master"]))!
        #expect(outcome == .written(head))
        #expect(try await GitCommand.text(git + ["rev-parse", "master^"]) == parent.hex)
        #expect(try await GitCommand.run(git + ["cat-file", "blob", "master:lock.json"]) == Self.newLock)
    }

    @Test func addsTheFileWhenTheParentLacksIt() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let outcome = try await writer(SubprocessGitTransport(repository: repository.directory))
            .replaceFile(named: "new.json", with: Self.newLock, parent: try await repository.head())
        #expect(outcome == .written(try await repository.head()))
        let git = ["-C", repository.directory.path]
        #expect(
            try await GitCommand.text(git + ["diff-tree", "-r", "--name-status", "--no-commit-id", "main^", "main"])
                == "A\tnew.json")
    }

    @Test func staleParentIsAConflictAndPushesNothing() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let stale = try await repository.head()
        try await repository.commitElsewhere("lock.json", "someone else")
        let moved = try await repository.head()
        let outcome = try await writer(SubprocessGitTransport(repository: repository.directory))
            .replaceFile(named: "lock.json", with: Self.newLock, parent: stale)
        #expect(outcome == .conflict(reason: "refs/heads/main is at \(moved), not at the observed commit \(stale)"))
        #expect(try await repository.head() == moved)
    }

    @Test func refMovedAfterTheAdvertisementIsRefusedByReceivePack() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let parent = try await repository.head()
        let transport = SubprocessGitTransport(
            repository: repository.directory,
            beforeServing: { request in
                if request.method == .post, request.path == "git-receive-pack" {
                    try await repository.commitElsewhere("lock.json", "someone else")
                }
            })
        let outcome = try await writer(transport).replaceFile(named: "lock.json", with: Self.newLock, parent: parent)
        guard case .conflict(let reason) = outcome else {
            Issue.record("expected a conflict, got \(outcome)")
            return
        }
        let moved = try await repository.head()
        #expect(moved != parent)
        #expect(
            reason
                == "ng refs/heads/main failed to update ref (receive-pack said: error: cannot lock ref 'refs/heads/main': is at \(moved) but expected \(parent))"
        )
        #expect(try await GitCommand.text(["-C", repository.directory.path, "log", "-1", "--format=%s"]) == "elsewhere")
    }

    @Test func twoWritersOnTheSameParentExactlyOneWins() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let parent = try await repository.head()
        // Both reach receive-pack having seen the same advertisement, so only the ref lock decides.
        let gate = Gate(count: 2)
        let transport = SubprocessGitTransport(
            repository: repository.directory,
            beforeServing: { request in
                if request.method == .post, request.path == "git-receive-pack" { await gate.arrive() }
            })
        async let first = writer(transport).replaceFile(named: "lock.json", with: Array("first".utf8), parent: parent)
        async let second = writer(transport).replaceFile(named: "lock.json", with: Array("second".utf8), parent: parent)
        let outcomes = try await [first, second]
        let winners = outcomes.compactMap { outcome -> GitObjectID? in
            if case .written(let id) = outcome { return id }
            return nil
        }
        #expect(winners.count == 1)
        #expect(winners.first == (try await repository.head()))
        let conflicts = outcomes.compactMap { outcome -> String? in
            if case .conflict(let reason) = outcome { return reason }
            return nil
        }
        #expect(conflicts.count == 1 && conflicts.allSatisfy { $0.hasPrefix("ng refs/heads/main ") }, "\(conflicts)")
        #expect(try await GitCommand.text(["-C", repository.directory.path, "rev-parse", "main^"]) == parent.hex)
    }
}

/// Lets `count` tasks through together, once all of them have arrived.
actor Gate {
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private let count: Int

    init(count: Int) { self.count = count }

    func arrive() async {
        await withCheckedContinuation { continuation in
            waiting.append(continuation)
            if waiting.count == count {
                for waiter in waiting { waiter.resume() }
                waiting = []
            }
        }
    }
}
