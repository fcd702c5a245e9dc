public import Foundation

/// The bare git repositories behind the gists, one `<id>.git` per gist in a directory, worked on by
/// the real git binary. The branch `main` holds the gist's files at the top level of its tree.
public struct GistRepositories: Sendable {
    /// The directory that holds the repositories.
    public let directory: URL

    static let ref = "refs/heads/main"
    static let noCommit = String(repeating: "0", count: 40)

    /// Uses (and creates) `directory`; fails when git cannot be run.
    /// - Throws: `GistServerError` naming the directory or the missing git binary.
    public init(directory: String) async throws(GistServerError) {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        } catch {
            throw .invalidConfiguration("cannot create the repositories directory \(directory): \(error.localizedDescription)")
        }
        do {
            _ = try await GitProcess.run(["--version"])
        } catch {
            throw .invalidConfiguration("gists are kept as git repositories, but git cannot be run (\(error)); install git")
        }
    }

    /// The path of a gist's bare repository.
    public func path(of id: String) -> URL { directory.appendingPathComponent("\(id).git", isDirectory: true) }

    /// Whether the gist has a repository.
    func exists(_ id: String) -> Bool { FileManager.default.fileExists(atPath: path(of: id).appendingPathComponent("HEAD").path) }

    /// Creates the gist's repository, configured to serve clones, filtered fetches and pushes as GitHub does.
    func create(_ id: String) async throws {
        let repository = path(of: id).path
        try await GitProcess.run(["init", "--quiet", "--bare", "--initial-branch=main", repository])
        // Appended as one block rather than by a `git config` run per key: a gist is created in one step.
        let settings = """
            [uploadpack]
            \tallowFilter = true
            \tallowReachableSHA1InWant = true
            [http]
            \treceivepack = true
            [receive]
            \tdenyDeletes = true
            \tdenyNonFastForwards = true
            \tautogc = false
            [core]
            \tlogAllRefUpdates = false
            [gc]
            \tauto = 0

            """
        let config = try FileHandle(forWritingTo: path(of: id).appendingPathComponent("config"))
        defer { try? config.close() }
        try config.seekToEnd()
        try config.write(contentsOf: Data(settings.utf8))
    }

    /// Deletes the gist's repository.
    func remove(_ id: String) {
        try? FileManager.default.removeItem(at: path(of: id))
    }

    /// The commit `main` points at, or `nil` before the first commit.
    func head(_ id: String) async throws -> String? {
        let output = try await GitProcess.output(["-C", path(of: id).path, "rev-parse", "--verify", "--quiet", Self.ref])
        guard output.status == 0 else { return nil }
        return String(decoding: output.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Commits `files` (name to bytes; `nil` keeps the parent's entry byte for byte) on `parent` and
    /// moves `main` to it only if `main` is still at `parent`, in git's own ref lock.
    /// - Returns: the new commit, or `nil` when `main` had moved on.
    func commit(
        _ id: String, files: [String: [UInt8]?], parent: String?, committer: String, at date: Date, message: String
    ) async throws -> String? {
        let repository = path(of: id)
        // Requests are checked before they get here; this keeps a name git cannot hold out whatever the caller.
        for (name, bytes) in files where bytes != nil {
            if let problem = GistFilename.problem(name) {
                throw GistFilename.refusal(name, problem: problem, documentationURL: GitHubAPIError.Docs.rest)
            }
        }
        var kept: [String: TreeEntry] = [:]
        if let parent { kept = try await tree(id, at: parent) }
        var entries: [String: TreeEntry] = [:]
        var newBlobs: [(name: String, bytes: [UInt8])] = []
        for (name, bytes) in files {
            if let bytes {
                newBlobs.append((name, bytes))
            } else if let entry = kept[name] {
                entries[name] = entry
            }
        }
        for (name, blob) in zip(newBlobs.map(\.name), try await writeBlobs(newBlobs.map(\.bytes), in: repository)) {
            entries[name] = TreeEntry(mode: "100644", id: blob)
        }
        var listing: [UInt8] = []
        for name in entries.keys.sorted() {
            let entry = entries[name]!
            listing += Array("\(entry.mode) \(entry.mode == "040000" ? "tree" : "blob") \(entry.id)\t\(name)".utf8) + [0]
        }
        let tree = try await GitProcess.text(["-C", repository.path, "mktree", "-z"], input: listing)
        let stamp = "\(Int(date.timeIntervalSince1970)) +0000"
        let email = "\(committer)@users.noreply.gist-server"
        let identity = [
            "GIT_AUTHOR_NAME": committer, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": committer, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": stamp,
        ]
        let commit = try await GitProcess.text(
            ["-C", repository.path, "commit-tree", tree] + (parent.map { ["-p", $0] } ?? []) + ["-m", message],
            environment: identity)
        let moved = try await GitProcess.output(
            ["-C", repository.path, "update-ref", Self.ref, commit, parent ?? Self.noCommit])
        return moved.status == 0 ? commit : nil
    }

    /// One entry of a tree: its mode and object id.
    struct TreeEntry: Equatable {
        var mode: String
        var id: String
    }

    /// The top-level entries of `commit`'s tree, by name.
    func tree(_ id: String, at commit: String) async throws -> [String: TreeEntry] {
        let listing = try await GitProcess.run(["-C", path(of: id).path, "ls-tree", "-z", commit])
        var entries: [String: TreeEntry] = [:]
        for record in listing.split(separator: 0) {
            guard let tab = record.firstIndex(of: 9) else { continue }
            let fields = String(decoding: record[..<tab], as: UTF8.self).split(separator: " ")
            guard fields.count == 3 else { continue }
            entries[String(decoding: record[(tab + 1)...], as: UTF8.self)] = TreeEntry(
                mode: String(fields[0]), id: String(fields[2]))
        }
        return entries
    }

    /// The files of `commit` (top-level blobs), by name.
    func files(_ id: String, at commit: String) async throws -> [String: [UInt8]] {
        let entries = try await tree(id, at: commit).filter { $0.value.mode != "040000" && $0.value.mode != "160000" }
        let names = entries.keys.sorted()
        let contents = try await readBlobs(names.map { entries[$0]!.id }, in: path(of: id))
        return Dictionary(uniqueKeysWithValues: zip(names, contents))
    }

    /// A commit as the gist's history lists it.
    struct CommitInfo: Equatable {
        var id: String
        var time: Date
    }

    /// The commits on `main`'s first-parent line after `known` (all of them when `known` is `nil` or
    /// not on that line), oldest first.
    func commits(_ id: String, after known: String?, upTo head: String) async throws -> [CommitInfo] {
        var arguments = ["-C", path(of: id).path, "log", "--reverse", "--first-parent", "--format=%H %ct", head]
        if let known, try await isAncestor(id, known, of: head) { arguments.append("^\(known)") }
        let lines = try await GitProcess.text(arguments).split(separator: "\n")
        return lines.compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let seconds = TimeInterval(parts[1]) else { return nil }
            return CommitInfo(id: String(parts[0]), time: Date(timeIntervalSince1970: seconds))
        }
    }

    private func isAncestor(_ id: String, _ older: String, of newer: String) async throws -> Bool {
        try await GitProcess.output(["-C", path(of: id).path, "merge-base", "--is-ancestor", older, newer]).status == 0
    }

    /// Writes blobs in one `git hash-object` run, through files so that any bytes pass unchanged.
    private func writeBlobs(_ contents: [[UInt8]], in repository: URL) async throws -> [String] {
        guard !contents.isEmpty else { return [] }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gist-blobs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var paths: [String] = []
        for (index, bytes) in contents.enumerated() {
            let file = scratch.appendingPathComponent(String(index))
            try Data(bytes).write(to: file)
            paths.append(file.path)
        }
        let ids = try await GitProcess.text(
            ["-C", repository.path, "hash-object", "-w", "--no-filters", "--stdin-paths"],
            input: Array(paths.joined(separator: "\n").utf8) + [10])
        return ids.split(separator: "\n").map(String.init)
    }

    /// Reads blobs in one `git cat-file --batch` run.
    private func readBlobs(_ ids: [String], in repository: URL) async throws -> [[UInt8]] {
        guard !ids.isEmpty else { return [] }
        let output = try await GitProcess.run(
            ["-C", repository.path, "cat-file", "--batch"], input: Array(ids.joined(separator: "\n").utf8) + [10])
        var contents: [[UInt8]] = []
        var index = output.startIndex
        for _ in ids {
            guard let newline = output[index...].firstIndex(of: 10) else { break }
            let header = String(decoding: output[index..<newline], as: UTF8.self).split(separator: " ")
            guard header.count == 3, let size = Int(header[2]) else {
                throw GitProcess.Failure(arguments: ["cat-file", "--batch"], status: 0, stderr: "unexpected header \(header)")
            }
            let start = newline + 1
            contents.append(Array(output[start..<(start + size)]))
            index = start + size + 1
        }
        return contents
    }
}
