import Foundation

/// Runs the real `git` binary, isolated from the user's and the system's git configuration.
enum GitCommand {
    struct Failure: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let stderr: String
        var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(stderr)" }
    }

    /// At most a few git processes at once, so the suites running in parallel do not starve the
    /// machine (and the other tests' timing) of CPU.
    private static let slots = ProcessSlots(count: 3)

    /// The standard output of `git <arguments>` fed `input`; throws when git exits non-zero.
    @discardableResult
    static func run(
        _ arguments: [String], in directory: URL? = nil, input: [UInt8] = [], environment extra: [String: String] = [:]
    ) async throws -> [UInt8] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("git-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Files, not pipes, so a large answer cannot block git while its input is still being written.
        let inputFile = scratch.appendingPathComponent("in")
        let outputFile = scratch.appendingPathComponent("out")
        let errorFile = scratch.appendingPathComponent("err")
        try Data(input).write(to: inputFile)
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_AUTHOR_NAME"] = "Fixture"
        environment["GIT_AUTHOR_EMAIL"] = "fixture@example.com"
        environment["GIT_COMMITTER_NAME"] = "Fixture"
        environment["GIT_COMMITTER_EMAIL"] = "fixture@example.com"
        environment.removeValue(forKey: "GIT_DIR")
        environment.removeValue(forKey: "GIT_PROTOCOL")
        environment.merge(extra) { $1 }
        process.environment = environment
        let inputHandle = try FileHandle(forReadingFrom: inputFile)
        let outputHandle = try FileHandle(forWritingTo: outputFile)
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer {
            try? inputHandle.close()
            try? outputHandle.close()
            try? errorHandle.close()
        }
        process.standardInput = inputHandle
        process.standardOutput = outputHandle
        process.standardError = errorHandle
        await slots.acquire()
        defer { Task { await slots.release() } }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else {
            throw Failure(arguments: arguments, status: status, stderr: String(decoding: try Data(contentsOf: errorFile), as: UTF8.self))
        }
        return Array(try Data(contentsOf: outputFile))
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
