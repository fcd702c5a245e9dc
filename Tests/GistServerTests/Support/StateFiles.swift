import Foundation

/// State files for the store's tests: a fresh folder to write them in, and the older formats.
enum StateFiles {
    /// Runs `body` with a fresh folder, removed afterwards.
    static func withDirectory(_ body: (URL) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gist-server-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory)
    }

    /// A version 1 state file: gist "aa", owned by "me", with two revisions (file "a" holding "1", then
    /// "2"), each inline with all its files.
    static let versionOne =
        #"{"format":"gist-server-state","version":1,"gists":[{"id":"aa","ownerLogin":"me","isPublic":false,"#
        + #""createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z","revisions":["#
        + #"{"version":"1111111111111111111111111111111111111111","committedAt":"2026-01-01T00:00:00Z","committerLogin":"me","files":{"a":"1"},"additions":1,"deletions":0},"#
        + #"{"version":"2222222222222222222222222222222222222222","committedAt":"2026-01-02T00:00:00Z","committerLogin":"me","files":{"a":"2"},"additions":1,"deletions":1}]}]}"#
}
