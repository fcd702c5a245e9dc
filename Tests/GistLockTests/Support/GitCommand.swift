import Foundation
import GistServer

/// Runs the real `git` binary for fixtures, as a fixed identity, a few processes at a time.
enum GitCommand {
    /// At most a few git processes at once, so the suites running in parallel do not starve the
    /// machine (and the other tests' timing) of CPU.
    private static let slots = ProcessSlots(count: 3)

    private static let identity = [
        "GIT_AUTHOR_NAME": "Fixture", "GIT_AUTHOR_EMAIL": "fixture@example.com",
        "GIT_COMMITTER_NAME": "Fixture", "GIT_COMMITTER_EMAIL": "fixture@example.com",
    ]

    /// The standard output of `git <arguments>` fed `input`; throws when git exits non-zero.
    @discardableResult
    static func run(
        _ arguments: [String], in directory: URL? = nil, input: [UInt8] = [], environment extra: [String: String] = [:]
    ) async throws -> [UInt8] {
        await slots.acquire()
        defer { Task { await slots.release() } }
        return try await GitProcess.run(
            arguments, in: directory, input: input, environment: identity.merging(extra) { $1 })
    }

    /// The standard output of `git <arguments>` as text without its trailing newline.
    static func text(
        _ arguments: [String], in directory: URL? = nil, input: [UInt8] = [], environment: [String: String] = [:]
    ) async throws -> String {
        String(decoding: try await run(arguments, in: directory, input: input, environment: environment), as: UTF8.self)
            .trimmingCharacters(in: .newlines)
    }
}

/// A counting semaphore for subprocesses.
actor ProcessSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { free = count }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
