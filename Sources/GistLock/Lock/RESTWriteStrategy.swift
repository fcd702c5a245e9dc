import LeaderElection

/// Writes as REST PATCHes. Gists have no conditional write, so each write compares before it writes
/// (read again, write only if the bytes are still those observed), and a claim is confirmed by reading
/// back after the settle time: of two candidates that wrote at nearly the same moment, only the one
/// whose bytes stayed leads.
final class RESTWriteStrategy: LockWriteStrategy {
    let mode = "rest"

    func create(_ record: LeaderElectionRecord, lock: isolated GistLock) async throws {
        if try await lock.readLockFile() != nil {
            throw lock.conflict(
                "lock file \(lock.fileName) appeared in gist \(lock.gistID) before it could be created: another candidate was first"
            )
        }
        let bytes = record.jsonBytes()
        try await write(bytes, lock: lock)
        if !record.holderIdentity.isEmpty { try await confirm(bytes, lock: lock) }
    }

    func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8], lock: isolated GistLock) async throws {
        guard let current = try await lock.readLockFile() else {
            throw lock.conflict(
                "lock file \(lock.fileName) vanished from gist \(lock.gistID) since it was read: someone deleted it")
        }
        guard current.raw == observedRaw else {
            throw lock.conflict(
                "lock file \(lock.fileName) in gist \(lock.gistID) changed since it was read: another candidate wrote it")
        }
        let bytes = record.jsonBytes()
        try await write(bytes, lock: lock)
        // Only a renewal of the term already held, or a release, cannot race a second claimer; any
        // claim can, a resumed claim of one's own record included.
        let previous = try? LeaderElectionRecord(jsonBytes: observedRaw)
        let renewal =
            previous?.holderIdentity == record.holderIdentity
            && previous?.leaderTransitions == record.leaderTransitions
        if !record.holderIdentity.isEmpty && !renewal {
            try await confirm(bytes, lock: lock)
        }
    }

    /// PATCHes the lock file and keeps the answer as the cached copy when it carries an ETag and shows
    /// exactly our bytes, so the next reads are free 304s; otherwise the next read is a full one.
    private func write(_ bytes: [UInt8], lock: isolated GistLock) async throws {
        let content = String(decoding: bytes, as: UTF8.self)
        let (gist, etag) = try await lock.calling {
            try await $0.updateFilesWithETag(inGist: lock.gistID, [lock.fileName: content])
        }
        let file = gist.files[lock.fileName]
        if let etag, let file, !file.truncated, file.contentBytes == bytes {
            lock.cached = (etag, gist)
        } else {
            lock.cached = nil
        }
    }

    /// Waits `settleTime`, then reads back: if another candidate's write landed after ours, it leads.
    private func confirm(_ bytes: [UInt8], lock: isolated GistLock) async throws {
        if lock.settleTime > .zero { try await lock.clock.sleep(for: lock.settleTime) }
        let after = try await lock.readLockFile()
        guard after?.raw == bytes else {
            throw lock.conflict(
                "lock file \(lock.fileName) in gist \(lock.gistID) no longer held our write after \(lock.settleTime): "
                    + "another candidate took the lease at the same moment")
        }
    }

}
