import CompressNIO
import Foundation
import NIOCore
import Testing
@testable import GistLock
@testable import GitSmartHTTP

/// Object ids, trees, commits and packs, each checked against what the real git computes or accepts.
@Suite struct GitObjectTests {
    @Test(arguments: [[UInt8](), Array("hello\n".utf8), (0..<70_000).map { UInt8($0 % 251) }])
    func blobIDMatchesGitHashObject(_ content: [UInt8]) async throws {
        let expected = try await GitCommand.text(["hash-object", "--stdin"], input: content)
        #expect(GitObject.blob(content).id.hex == expected)
    }

    @Test func objectIDParsesOnlyFortyHexDigits() {
        #expect(GitObjectID(hex: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")?.hex == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
        #expect(GitObjectID(hex: "E69DE29BB2D1D6434B8B29AE775AD8C2E48C5391")?.hex == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
        #expect(GitObjectID(hex: "e69de29bb2d1d6434b8b29ae775ad8c2e48c539") == nil)
        #expect(GitObjectID(hex: "g69de29bb2d1d6434b8b29ae775ad8c2e48c5391") == nil)
        #expect(GitObjectID.zero.hex == String(repeating: "0", count: 40))
    }

    @Test func treeIDAndOrderMatchGitMktree() async throws {
        let blob = GitObject.blob(Array("x".utf8)).id
        let subtree = GitTree(entries: [.init(mode: "100644", name: Array("f".utf8), id: blob)]).object.id
        // `a.b` sorts before the subtree `a` (compared as `a/`), which sorts before `a0`; a file `a-` before both.
        let tree = GitTree(entries: [
            .init(mode: "100644", name: Array("a0".utf8), id: blob),
            .init(mode: "40000", name: Array("a".utf8), id: subtree),
            .init(mode: "100755", name: Array("a.b".utf8), id: blob),
            .init(mode: "100644", name: Array("a-".utf8), id: blob),
            .init(mode: "120000", name: Array("Z".utf8), id: blob),
        ])
        #expect(tree.entries.map { String(decoding: $0.name, as: UTF8.self) } == ["Z", "a-", "a.b", "a", "a0"])
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let git = ["-C", repository.directory.path]
        try await GitCommand.run(git + ["hash-object", "-w", "--stdin"], input: Array("x".utf8))
        let subtreeListing = "100644 blob \(blob.hex)\tf\n"
        #expect(try await GitCommand.text(git + ["mktree"], input: Array(subtreeListing.utf8)) == subtree.hex)
        let listing = tree.entries.map { entry in
            let kind = entry.isTree ? "tree" : "blob"
            let mode = entry.mode.count == 5 ? "0" + entry.mode : entry.mode
            return "\(mode) \(kind) \(entry.id.hex)\t\(String(decoding: entry.name, as: UTF8.self))\n"
        }.reversed().joined()
        #expect(try await GitCommand.text(git + ["mktree"], input: Array(listing.utf8)) == tree.object.id.hex)
        #expect(try GitTree(body: tree.object.body) == tree)
    }

    @Test func commitIDMatchesGitCommitTree() async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let parent = try await repository.head()
        let tree = GitObjectID(hex: try await GitCommand.text(["-C", repository.directory.path, "rev-parse", "main^{tree}"]))!
        let signature = GitSignature(
            name: "Fixture", email: "fixture@example.com", time: Date(timeIntervalSince1970: 1_700_000_000))
        let commit = GitCommit(tree: tree, parents: [parent], author: signature, committer: signature, message: "renew").object
        let date = "1700000000 +0000"
        let made = try await GitCommand.text(
            ["-C", repository.directory.path, "commit-tree", tree.hex, "-p", parent.hex, "-m", "renew"],
            environment: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date]
        )
        #expect(made == commit.id.hex)
        #expect(try GitCommit.treeID(ofBody: commit.body) == tree)
        try await GitCommand.run(["-C", repository.directory.path, "fsck", "--strict", "--no-dangling"])
    }

    @Test(arguments: [0, 1, 65535, 65536, 200_000])
    func storedDeflateInflatesWithZlib(_ size: Int) throws {
        let data = (0..<size).map { UInt8(($0 * 31) % 256) }
        var stream = ByteBuffer(bytes: StoredDeflate.zlibStream(data))
        var output = ByteBufferAllocator().buffer(capacity: size + 64)
        try stream.decompress(to: &output, with: .zlib)
        #expect(output.readBytes(length: output.readableBytes) == data)
        #expect(stream.readableBytes == 0)
    }

    @Test func adler32MatchesZlib() {
        #expect(StoredDeflate.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(StoredDeflate.adler32([]) == 1)
    }

    @Test func packIsAcceptedByGitIndexPack() async throws {
        let blob = GitObject.blob((0..<100_000).map { UInt8($0 % 256) })
        let tree = GitTree(entries: [.init(mode: "100644", name: Array("data".utf8), id: blob.id)]).object
        let pack = PackWriter.pack([blob, tree])
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let git = ["-C", repository.directory.path]
        try await GitCommand.run(git + ["index-pack", "--stdin", "--strict"], input: pack)
        #expect(try await GitCommand.text(git + ["cat-file", "-t", tree.id.hex]) == "tree")
        #expect(try await GitCommand.run(git + ["cat-file", "blob", blob.id.hex]) == blob.body)
        #expect(try PackReader.objects(in: pack) == [blob.id: blob, tree.id: tree])
    }

    @Test(arguments: [true, false])
    func readsGitsOwnPackWithDeltas(offsetDeltas: Bool) async throws {
        let repository = try await BareRepository.make()
        defer { repository.remove() }
        let git = ["-C", repository.directory.path]
        var ids: [String] = []
        for version in 0..<4 {
            let text = String(repeating: "a line that stays the same\n", count: 400) + "version \(version)\n"
            ids.append(try await GitCommand.text(git + ["hash-object", "-w", "--stdin"], input: Array(text.utf8)))
        }
        let pack = try await GitCommand.run(
            git + ["pack-objects", "--stdout", "--window=10", "--depth=5", "-q"] + (offsetDeltas ? ["--delta-base-offset"] : []),
            input: Array((ids.joined(separator: "\n") + "\n").utf8)
        )
        // Index the pack beside the repository to ask git itself whether it holds deltas.
        let packFile = repository.directory.appendingPathComponent("check.pack")
        try Data(pack).write(to: packFile)
        try await GitCommand.run(git + ["index-pack", packFile.path])
        #expect(try await GitCommand.text(git + ["verify-pack", "-v", packFile.path]).contains("chain length = 1"))
        let objects = try PackReader.objects(in: pack)
        #expect(Set(objects.keys.map(\.hex)) == Set(ids))
        for id in ids {
            #expect(try await GitCommand.run(git + ["cat-file", "blob", id]) == objects[GitObjectID(hex: id)!]?.body)
        }
    }

    @Test func damagedPackIsRefusedByItsChecksum() {
        var pack = PackWriter.pack([GitObject.blob(Array("hi".utf8))])
        pack[14] ^= 0xff
        #expect(
            throws: GitProtocolError(.pack, "the pack's trailing SHA-1 does not match its content: it was damaged or cut short")
        ) {
            try PackReader.objects(in: pack)
        }
    }
}
