import Foundation
@testable import GistServer
import Testing

/// Start-up must never destroy state: it may only add files and rename them into place, so a server
/// killed at any point of its start leaves files that load with every gist and revision.
@Suite("Start-up keeps the state")
struct StartupStateTests {
    private struct Stop: Error {}

    /// A state of several gists with histories, two of whose journals end in lines a killed server
    /// appended but never committed (one whole, one cut short).
    private func makeState(in directory: URL) async throws -> String {
        let path = directory.appendingPathComponent("state.json").path
        let store = try FileBackedGistStore(stateFile: path)
        var ids: [String] = []
        for index in 0..<4 {
            let gist = try await store.create(NewGist(files: ["lock.lock": "0", "keep-\(index).txt": "k"]), owner: "me")
            ids.append(gist.id)
            for round in 1...(3 + index) {
                _ = try await store.update(
                    id: gist.id, with: GistEdit(files: ["lock.lock": .update(content: "\(round)", filename: nil)]), by: "me")
            }
        }
        let journals = URL(fileURLWithPath: path + ".revisions")
        let whole = journals.appendingPathComponent("\(ids[0]).jsonl")
        let lines = try String(contentsOf: whole, encoding: .utf8).split(separator: "\n")
        try append(Data((lines[1] + "\n").utf8), to: whole)
        try append(Data(#"{"version":"cut sh"#.utf8), to: journals.appendingPathComponent("\(ids[1]).jsonl"))
        return path
    }

    private func append(_ data: Data, to url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }

    private func copy(_ source: URL, to target: URL) throws {
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: source, to: target)
    }

    @Test("a start stopped before any one of its writes leaves a state that loads whole, and the next start finishes")
    func stoppedAtEveryWrite() async throws {
        try await StateFiles.withDirectory { directory in
            let original = directory.appendingPathComponent("original")
            try FileManager.default.createDirectory(at: original, withIntermediateDirectories: true)
            let path = try await makeState(in: original)
            let expected = try GistStateFile(path: path).load()
            #expect(expected.count == 4)

            var writes = 0
            let counting = directory.appendingPathComponent("counting")
            try copy(original, to: counting)
            _ = try GistStateFile(path: counting.appendingPathComponent("state.json").path).open { writes += 1 }
            #expect(writes == 3)  // two journals to cut back, then the state file

            for stop in 0..<writes {
                let trial = directory.appendingPathComponent("stop-\(stop)")
                try copy(original, to: trial)
                let file = GistStateFile(path: trial.appendingPathComponent("state.json").path)
                var calls = 0
                #expect(throws: GistServerError.self) {  // the stop, reported as a write that failed
                    try file.open {
                        defer { calls += 1 }
                        if calls == stop { throw Stop() }
                    }
                }
                #expect(try file.load() == expected, "stopped before write \(stop)")
                #expect(try file.open() == expected)
                #expect(try file.load() == expected)
            }
        }
    }

    @Test("a start rewrites no journal that holds only committed lines: the same file stays in place")
    func committedJournalsStay() async throws {
        try await StateFiles.withDirectory { directory in
            let path = try await makeState(in: directory)
            let journals = path + ".revisions"
            func inodes() throws -> [String: Int] {
                var result: [String: Int] = [:]
                for name in try FileManager.default.contentsOfDirectory(atPath: journals) where name.hasSuffix(".jsonl") {
                    let attributes = try FileManager.default.attributesOfItem(atPath: journals + "/" + name)
                    result[name] = (attributes[.systemFileNumber] as? NSNumber)?.intValue
                }
                return result
            }
            let before = try inodes()
            let gists = try FileBackedGistStore(stateFile: path)
            let after = try inodes()
            #expect(after.keys.sorted() == before.keys.sorted())
            // Two journals had uncommitted lines and were replaced; the other two are the very same files.
            #expect(before.filter { after[$0.key] == $0.value }.count == 2)
            for gist in await gists.all() {
                let lines = try String(contentsOfFile: journals + "/\(gist.id).jsonl", encoding: .utf8)
                #expect(lines.split(separator: "\n").count == gist.revisions.count)
                #expect(lines.hasSuffix("\n"))
            }
        }
    }

    @Test("a version 1 state file stopped while it becomes version 2 still loads as version 1")
    func versionOneStopped() async throws {
        try await StateFiles.withDirectory { directory in
            let path = directory.appendingPathComponent("state.json").path
            try Data(StateFiles.versionOne.utf8).write(to: URL(fileURLWithPath: path))
            let file = GistStateFile(path: path)
            let expected = try file.load()
            var calls = 0
            #expect(throws: GistServerError.self) {  // the stop, reported as a write that failed
                try file.open {
                    defer { calls += 1 }
                    if calls == 1 { throw Stop() }  // the journal is written, the state file not yet
                }
            }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == StateFiles.versionOne)
            #expect(try file.open() == expected)
            #expect(try file.load() == expected)
        }
    }
}
