/// What a handover did, as `LeaderElector.handOver(to:)` reports it once the leading work has stopped.
public struct Handover: Sendable, Equatable {
    /// The copy the record now names, or nil when the lease was released for any other copy to take.
    public var target: String?
    /// The term that ended with the handover; the next leader's term is higher.
    public var term: Int
    /// Whether the record naming the target (or the release) was stored. When false, the work has still
    /// stopped, and the lease runs out as after a crash: `problem` says why the write failed.
    public var written: Bool
    /// Why the record could not be written; nil when it was.
    public var problem: String?

    public init(target: String?, term: Int, written: Bool, problem: String? = nil) {
        self.target = target
        self.term = term
        self.written = written
        self.problem = problem
    }
}

/// Why a handover was refused or did not happen; nothing changed unless the case says so.
public enum HandoverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// This copy does not lead; `leader` is whom it takes as leader ("" when it knows of none).
    case notLeader(leader: String)
    /// The target is this copy itself: it already leads, so nothing was stopped.
    case toSelf(String)
    /// The target is empty: an empty holder means a free lease, so omit the target to release instead.
    case emptyTarget
    /// Another handover is under way; this one was not started.
    case underWay
    /// Leadership ended for another reason (renew deadline, the record taken, shutdown) before the
    /// handover could be made; the work has stopped, but no record names the target.
    case leadershipEnded(String)

    public var description: String {
        switch self {
        case .notLeader(let leader):
            leader.isEmpty
                ? "this copy does not lead and knows of no leader now: ask the leader's endpoint"
                : "this copy does not lead; the leader is \(leader): ask its endpoint"
        case .toSelf(let identity): "\(identity) already leads: a handover needs another copy as target, or none"
        case .emptyTarget: "the target is empty: name a copy, or give no target to release the lease to any other copy"
        case .underWay: "a handover is already under way"
        case .leadershipEnded(let reason): "leadership ended before the handover was made: \(reason)"
        }
    }
}

/// A handover asked of the leading term, answered on `reply` once the work has stopped.
struct HandoverRequest: Sendable {
    var target: String?
    var reply: AsyncStream<Result<Handover, HandoverError>>.Continuation
}
