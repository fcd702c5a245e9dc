import Foundation
@testable import GistLock
@testable import GitSmartHTTP

/// A temporary bare repository with one commit on `main`, served by the real git.
struct BareRepository {
    let directory: URL

    /// The files of the first commit: a lock file, a text file, a binary file and one over 1 MB.
    static let files: [String: [UInt8]] = [
        "lock.json": Array(#"{"holderIdentity":"a"}"#.utf8),
        "README.md": Array("# notes\n".utf8),
        "logo.bin": (0..<4096).map { UInt8(($0 * 7919 + 13) % 256) },
        "big.txt": Array(String(repeating: "line of a large file\n", count: 60_000).utf8),
    ]

    static func make() async throws -> BareRepository {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gist-\(UUID().uuidString)")
        let bare = root.appendingPathComponent("gist.git")
        let work = root.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try await GitCommand.run(["init", "--quiet", "--bare", "--initial-branch=main", bare.path])
        try await GitCommand.run(["-C", bare.path, "config", "uploadpack.allowFilter", "true"])
        try await GitCommand.run(["init", "--quiet", "--initial-branch=main", work.path])
        for (name, content) in files {
            try Data(content).write(to: work.appendingPathComponent(name))
        }
        try await GitCommand.run(["-C", work.path, "add", "."])
        try await GitCommand.run(["-C", work.path, "commit", "--quiet", "-m", "first"])
        try await GitCommand.run(["-C", work.path, "push", "--quiet", bare.path, "main"])
        return BareRepository(directory: bare)
    }

    /// The id `refs/heads/main` points at now.
    func head() async throws -> GitObjectID {
        GitObjectID(hex: try await GitCommand.text(["-C", directory.path, "rev-parse", "refs/heads/main"]))!
    }

    /// Moves `main` on by a commit made with git itself, as another writer would.
    func commitElsewhere(_ name: String, _ content: String) async throws {
        let blob = try await GitCommand.text(["-C", directory.path, "hash-object", "-w", "--stdin"], input: Array(content.utf8))
        let tree =
            try await GitCommand.text(["-C", directory.path, "ls-tree", "main"])
            .split(separator: "\n").filter { !$0.hasSuffix("\t\(name)") }.joined(separator: "\n")
            + "\n100644 blob \(blob)\t\(name)\n"
        let treeID = try await GitCommand.text(["-C", directory.path, "mktree"], input: Array(tree.utf8))
        let commit = try await GitCommand.text(["-C", directory.path, "commit-tree", treeID, "-p", "main", "-m", "elsewhere"])
        try await GitCommand.run(["-C", directory.path, "update-ref", "refs/heads/main", commit])
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory.deletingLastPathComponent())
    }
}
