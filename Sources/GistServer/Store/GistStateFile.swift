import Foundation

/// The files that keep a store's gists across restarts: the JSON state file with every gist's metadata,
/// replaced atomically after every change, and beside it `<state file>.revisions/<id>.jsonl`, one line per
/// revision holding only the files it changed, appended to. The state file is the commit point: it
/// names how many revisions each gist has, so a line appended by a server killed before the state file
/// was replaced is dropped at the next start. A change costs one append and one small rewrite, however
/// long the history. Version 1 files (every revision inline) are still read, and rewritten as version 2.
/// Start-up, like a change, only adds files and renames them into place: a server killed at any
/// point leaves files that load.
struct GistStateFile: Sendable {
    /// Path of the file.
    let path: String

    /// The directory of the revision journals.
    var journals: URL { URL(fileURLWithPath: path + ".revisions", isDirectory: true) }

    private struct Contents: Codable {
        var format: String
        var version: Int
        var gists: [Gist]
    }

    private struct Metadata: Codable {
        var format: String
        var version: Int
        var gists: [Entry]

        struct Entry: Codable {
            var id: String
            var ownerLogin: String
            var description: String?
            var isPublic: Bool
            var createdAt: Date
            var updatedAt: Date
            var revisionCount: Int
        }
    }

    /// One journal line: a revision as the files it changed (`files`) and removed (`removed`).
    private struct JournalLine: Codable {
        var version: String
        var committedAt: Date
        var committerLogin: String
        var additions: Int
        var deletions: Int
        var files: [String: String]
        var removed: [String]?
    }

    private static let format = "gist-server-state"

    private struct Header: Codable {
        var format: String
        var version: Int
    }

    /// What the files hold: the gists, the format version, and for each journal that has lines past
    /// the revisions the state file counts (appended by a server killed before it committed them)
    /// the bytes of the committed lines alone.
    private struct Found {
        var gists: [Gist] = []
        var version = 2
        var committedJournals: [String: Data] = [:]
    }

    /// The gists in the file; empty when the file does not exist yet. Writes nothing.
    func load() throws(GistServerError) -> [Gist] { try read().gists }

    /// Loads the gists and readies the files for the next change, as a start-up does: the state file
    /// is created when missing (so an unwritable place is reported now), a version 1 file gets its
    /// journals and becomes version 2, and a journal with uncommitted lines is replaced by its committed
    /// lines. Each file is written beside its place and renamed there; nothing is deleted or truncated.
    /// - Parameter beforeEachWrite: called before each file is written; tests stop there to play a kill.
    func open(beforeEachWrite: () throws -> Void = {}) throws(GistServerError) -> [Gist] {
        let found = try read()
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent) else {
            throw .unwritableStateFile(path, reason: "the directory \(parent) does not exist")
        }
        do {
            if found.version == 1 {
                for gist in found.gists {
                    try beforeEachWrite()
                    try replaceJournal(of: gist.id, with: Self.lines(gist.revisions[...], after: nil))
                }
            } else {
                for (id, committed) in found.committedJournals.sorted(by: { $0.key < $1.key }) {
                    try beforeEachWrite()
                    try replaceJournal(of: id, with: committed)
                }
            }
            try beforeEachWrite()
            try writeMetadata(found.gists)
        } catch let error as GistServerError {
            throw error
        } catch {
            throw .unwritableStateFile(path, reason: Self.reason(error))
        }
        return found.gists
    }

    private func read() throws(GistServerError) -> Found {
        guard FileManager.default.fileExists(atPath: path) else { return Found() }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableStateFile(path, reason: Self.reason(error))
        }
        guard !data.isEmpty else { throw .corruptStateFile(path, reason: "the file is empty") }
        let decoder = Self.decoder
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: data)
        } catch {
            throw .corruptStateFile(path, reason: Self.reason(error))
        }
        guard header.format == Self.format, [1, 2].contains(header.version) else {
            throw .corruptStateFile(
                path, reason: "format \(header.format) version \(header.version), expected \(Self.format) version 1 or 2")
        }
        var found = Found(version: header.version)
        do {
            if header.version == 1 {
                found.gists = try decoder.decode(Contents.self, from: data).gists
            } else {
                for entry in try decoder.decode(Metadata.self, from: data).gists {
                    let (gist, committed) = try loadJournal(entry)
                    found.gists.append(gist)
                    if let committed { found.committedJournals[entry.id] = committed }
                }
            }
        } catch let error as GistServerError {
            throw error
        } catch {
            throw .corruptStateFile(path, reason: Self.reason(error))
        }
        if let broken = found.gists.first(where: { $0.revisions.isEmpty }) {
            throw .corruptStateFile(path, reason: "gist \(broken.id) has no revision")
        }
        return found
    }

    /// The gist of `entry` from its journal's first `revisionCount` lines, and those lines' bytes when
    /// the journal holds more than them.
    private func loadJournal(_ entry: Metadata.Entry) throws -> (Gist, committed: Data?) {
        let file = journal(of: entry.id)
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw GistServerError.corruptStateFile(
                path, reason: "the revisions of gist \(entry.id) (\(file.path)) cannot be read: \(Self.reason(error))")
        }
        var revisions: [GistRevision] = []
        revisions.reserveCapacity(entry.revisionCount)
        var files: [String: String] = [:]
        var next = data.startIndex
        while revisions.count < entry.revisionCount, next < data.endIndex {
            let end = data[next...].firstIndex(of: 0x0A) ?? data.endIndex
            let line = data[next..<end]
            next = end < data.endIndex ? end + 1 : end
            if line.isEmpty { continue }
            let change = try Self.decoder.decode(JournalLine.self, from: Data(line))
            for name in change.removed ?? [] { files.removeValue(forKey: name) }
            files.merge(change.files) { $1 }
            var revision = GistRevision(
                after: nil, files: [:], committerLogin: change.committerLogin, at: change.committedAt, version: change.version)
            revision.files = files
            revision.additions = change.additions
            revision.deletions = change.deletions
            revisions.append(revision)
        }
        guard revisions.count == entry.revisionCount else {
            throw GistServerError.corruptStateFile(
                path, reason: "gist \(entry.id) has \(entry.revisionCount) revisions, but \(file.path) holds \(revisions.count)")
        }
        let gist = Gist(
            id: entry.id, ownerLogin: entry.ownerLogin, description: entry.description, isPublic: entry.isPublic,
            createdAt: entry.createdAt, updatedAt: entry.updatedAt, revisions: revisions)
        return (gist, next < data.endIndex ? data[..<next] : nil)
    }

    /// Records a change of one gist: the revisions after the first `known` ones are appended to its
    /// journal (the journal is dropped when `gist` is `nil`), then the state file is replaced.
    func record(_ gist: Gist?, id: String, known: Int, all gists: [Gist]) throws(GistServerError) {
        do {
            if let gist {
                if known == 0 || gist.revisions.count < known {
                    // A new journal (or a shorter history) is written whole and renamed into place.
                    try replaceJournal(of: id, with: Self.lines(gist.revisions[...], after: nil))
                } else if gist.revisions.count > known {
                    try append(gist.revisions[known...], after: gist.revisions[known - 1], to: id)
                }
                try writeMetadata(gists)
            } else {
                // The state file forgets the gist first: a kill in between leaves an unused journal, not a gist without one.
                try writeMetadata(gists)
                try? FileManager.default.removeItem(at: journal(of: id))
            }
        } catch let error as GistServerError {
            throw error
        } catch {
            throw .unwritableStateFile(path, reason: Self.reason(error))
        }
    }

    private func journal(of id: String) -> URL { journals.appendingPathComponent("\(id).jsonl") }

    private func replaceJournal(of id: String, with lines: Data) throws {
        try FileManager.default.createDirectory(at: journals, withIntermediateDirectories: true)
        try AtomicFile.write(lines, to: journal(of: id).path)
    }

    private func append(_ revisions: ArraySlice<GistRevision>, after parent: GistRevision, to id: String) throws {
        let lines = try Self.lines(revisions, after: parent)
        let url = journal(of: id)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw GistServerError.corruptStateFile(path, reason: "the revisions of gist \(id) (\(url.path)) are missing")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: lines)
        try handle.synchronize()
    }

    /// Journal lines for `revisions`, each holding what changed since the one before (`parent` for the first).
    private static func lines(_ revisions: ArraySlice<GistRevision>, after parent: GistRevision?) throws -> Data {
        var previous = parent?.files ?? [:]
        var lines = Data()
        for revision in revisions {
            let changed = revision.files.filter { previous[$0.key] != $0.value }
            let removed = previous.keys.filter { revision.files[$0] == nil }.sorted()
            let line = JournalLine(
                version: revision.version, committedAt: revision.committedAt, committerLogin: revision.committerLogin,
                additions: revision.additions, deletions: revision.deletions, files: changed,
                removed: removed.isEmpty ? nil : removed)
            lines.append(try Self.lineEncoder.encode(line))
            lines.append(0x0A)
            previous = revision.files
        }
        return lines
    }

    private func writeMetadata(_ gists: [Gist]) throws {
        let entries = gists.sorted { $0.id < $1.id }.map {
            Metadata.Entry(
                id: $0.id, ownerLogin: $0.ownerLogin, description: $0.description, isPublic: $0.isPublic,
                createdAt: $0.createdAt, updatedAt: $0.updatedAt, revisionCount: $0.revisions.count)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try AtomicFile.write(try encoder.encode(Metadata(format: Self.format, version: 2, gists: entries)), to: path)
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    private static var lineEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): "not JSON: \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, let context): "missing \(path(context, key))"
        case DecodingError.typeMismatch(_, let context): "wrong type at \(path(context, nil)): \(context.debugDescription)"
        case DecodingError.valueNotFound(_, let context): "null at \(path(context, nil))"
        case let posix as POSIXError: String(cString: strerror(posix.code.rawValue))
        default: (error as NSError).localizedDescription
        }
    }

    private static func path(_ context: DecodingError.Context, _ key: (any CodingKey)?) -> String {
        let keys = context.codingPath + (key.map { [$0] } ?? [])
        let names = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return names.isEmpty ? "top level" : names
    }
}
