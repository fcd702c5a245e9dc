import LeaderElection

/// One way `GistLock` writes its record: git pushes (`GitWriteStrategy`) or REST PATCHes confirmed by a
/// read-back (`RESTWriteStrategy`). The lock reads through REST either way, and a strategy runs on the
/// lock's actor, using its reads, its cached answer and its conflict errors.
protocol LockWriteStrategy: AnyObject {
    /// `git` or `rest`, as `--write-mode` names it.
    var mode: String { get }
    /// `ResourceLock.create`: adds the lock file unless it appeared meanwhile.
    func create(_ record: LeaderElectionRecord, lock: isolated GistLock) async throws
    /// `ResourceLock.update`: writes `record` only if the file still holds exactly `observedRaw`.
    func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8], lock: isolated GistLock) async throws
}
