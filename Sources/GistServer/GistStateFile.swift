import Foundation

/// The JSON file that keeps a store's gists across restarts. It is replaced atomically after every
/// change, so a killed server restarts with the last answered state.
struct GistStateFile: Sendable {
    /// Path of the file.
    let path: String

    private struct Contents: Codable {
        var format: String
        var version: Int
        var gists: [Gist]
    }

    private static let format = "gist-server-state"

    /// The gists in the file; empty when the file does not exist yet.
    func load() throws(GistServerError) -> [Gist] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableStateFile(path, reason: Self.reason(error))
        }
        guard !data.isEmpty else { throw .corruptStateFile(path, reason: "the file is empty") }
        let contents: Contents
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            contents = try decoder.decode(Contents.self, from: data)
        } catch {
            throw .corruptStateFile(path, reason: Self.reason(error))
        }
        guard contents.format == Self.format, contents.version == 1 else {
            throw .corruptStateFile(path, reason: "format \(contents.format) version \(contents.version), expected \(Self.format) version 1")
        }
        if let broken = contents.gists.first(where: { $0.revisions.isEmpty }) {
            throw .corruptStateFile(path, reason: "gist \(broken.id) has no revision")
        }
        return contents.gists
    }

    /// Replaces the file with `gists`.
    func save(_ gists: [Gist]) throws(GistServerError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            let data = try encoder.encode(Contents(format: Self.format, version: 1, gists: gists.sorted { $0.id < $1.id }))
            try AtomicFile.write(data, to: path)
        } catch {
            throw .unwritableStateFile(path, reason: Self.reason(error))
        }
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
