import Foundation
import Logging

/// `--leader-file PATH`: holds the current term while this copy leads, so a workload in the same pod
/// can fence without HTTP. Written atomically (a temporary file renamed over it), removed the moment
/// leadership ends (the leading work is cancelled then, before any release or handover is written).
struct LeaderFile: Sendable {
    let path: String

    /// Writes `term` and a newline: a reader sees the whole old content or the whole new one.
    func write(term: Int) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try Data("\(term)\n".utf8).write(to: temporary)
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw AppError("cannot write the leader file \(path): \(reason)")
        }
    }

    /// Removes the file; a file already gone is fine.
    func remove() {
        if unlink(path) != 0, errno != ENOENT {
            Logger(label: "leader-election").error(
                "cannot remove the leader file \(path): \(String(cString: strerror(errno))); a workload reading it may act on a stale term"
            )
        }
    }

    /// The leading work of one term: writes the file, waits until leadership ends (the task is
    /// cancelled), then removes it.
    func hold(term: Int, logger: Logger) async {
        do {
            try write(term: term)
        } catch {
            logger.error("\(error)")
        }
        let (ending, keepAlive) = AsyncStream.makeStream(of: Never.self)
        for await _ in ending {}  // ends when the task is cancelled
        keepAlive.finish()
        remove()
    }

    /// Checks at start that the file can be written, so a wrong path stops the start rather than each
    /// term; removes whatever an earlier run left (this copy does not lead yet).
    func prepare() throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
            FileManager.default.isWritableFile(atPath: directory)
        else {
            throw AppError(
                "invalid --leader-file \(path): its directory \(directory) does not exist or is not writable; "
                    + "give a path in a writable directory (e.g. a shared emptyDir volume)")
        }
        remove()
    }
}
