public import Foundation

/// Runs the `git` binary, isolated from the user's and the system's configuration.
public enum GitProcess {
    /// A git run that exited non-zero, with what it said on standard error.
    public struct Failure: Error, CustomStringConvertible {
        public let arguments: [String]
        public let status: Int32
        public let stderr: String
        public var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(stderr)" }
    }

    /// What a finished git run printed.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
    }

    /// Runs `git <arguments>` fed `input` and returns its exit status and output, whatever the status.
    public static func output(
        _ arguments: [String], in directory: URL? = nil, input: [UInt8] = [], environment extra: [String: String] = [:]
    ) async throws -> Output {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("git-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Files, not pipes: a large answer cannot block git while its input is still being written,
        // and no thread is held blocking on a read.
        let inputFile = scratch.appendingPathComponent("in")
        let outputFile = scratch.appendingPathComponent("out")
        let errorFile = scratch.appendingPathComponent("err")
        try Data(input).write(to: inputFile)
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        for inherited in ["GIT_DIR", "GIT_PROTOCOL", "GIT_INDEX_FILE", "GIT_WORK_TREE"] {
            environment.removeValue(forKey: inherited)
        }
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
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Output(
            status: status, stdout: Array(try Data(contentsOf: outputFile)), stderr: Array(try Data(contentsOf: errorFile)))
    }

    /// The standard output of `git <arguments>`; throws `Failure` when git exits non-zero.
    @discardableResult
    public static func run(
        _ arguments: [String], in directory: URL? = nil, input: [UInt8] = [], environment: [String: String] = [:]
    ) async throws -> [UInt8] {
        let output = try await output(arguments, in: directory, input: input, environment: environment)
        guard output.status == 0 else {
            throw Failure(arguments: arguments, status: output.status, stderr: String(decoding: output.stderr, as: UTF8.self))
        }
        return output.stdout
    }

    /// The standard output of `git <arguments>` as text without its trailing newline.
    public static func text(
        _ arguments: [String], in directory: URL? = nil, input: [UInt8] = [], environment: [String: String] = [:]
    ) async throws -> String {
        String(decoding: try await run(arguments, in: directory, input: input, environment: environment), as: UTF8.self)
            .trimmingCharacters(in: .newlines)
    }
}
