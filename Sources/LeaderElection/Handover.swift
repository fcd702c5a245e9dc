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

/// Why a handover was refused or did not happen; nothing changed unless the code says so.
/// `description` says why and what to do instead.
public struct HandoverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, for log lines and metrics labels; codes are equal when their names are.
        private let name: String
        public var description: String { name }

        /// This copy does not lead; `leader` is whom it takes as leader ("" when it knows of none).
        public static let notLeader = Code(name: "not the leader")
        /// The target is this copy itself: it already leads, so nothing was stopped.
        public static let toSelf = Code(name: "to itself")
        /// The target is empty: an empty holder means a free lease.
        public static let emptyTarget = Code(name: "empty target")
        /// Another handover is under way; this one was not started.
        public static let underWay = Code(name: "under way")
        /// Leadership ended for another reason (renew deadline, the record taken, shutdown) before the
        /// handover could be made; the work has stopped, but no record names the target.
        public static let leadershipEnded = Code(name: "leadership ended")
    }

    /// Why.
    public let code: Code
    /// With `.notLeader`: whom this copy takes as leader ("" when it knows of none); nil otherwise.
    public let leader: String?
    /// Why, and what to do instead, in one line.
    public let description: String

    /// This copy does not lead; `leader` is whom it takes as leader ("" when it knows of none).
    public static func notLeader(leader: String) -> Self {
        Self(
            code: .notLeader, leader: leader,
            description: leader.isEmpty
                ? "this copy does not lead and knows of no leader now: ask the leader's endpoint"
                : "this copy does not lead; the leader is \(leader): ask its endpoint")
    }

    /// The target is this copy, `identity`, itself.
    public static func toSelf(_ identity: String) -> Self {
        Self(
            code: .toSelf, leader: nil,
            description: "\(identity) already leads: a handover needs another copy as target, or none")
    }

    /// The target is empty.
    public static let emptyTarget = Self(
        code: .emptyTarget, leader: nil,
        description: "the target is empty: name a copy, or give no target to release the lease to any other copy")

    /// Another handover is under way.
    public static let underWay = Self(
        code: .underWay, leader: nil,
        description: "a handover is already under way: wait for its answer, then ask the new leader")

    /// Leadership ended, for `reason`, before the handover was made.
    public static func leadershipEnded(_ reason: String) -> Self {
        Self(
            code: .leadershipEnded, leader: nil,
            description: "leadership ended before the handover was made: \(reason)")
    }
}

/// A handover asked of the leading term, answered on `reply` once the work has stopped.
struct HandoverRequest: Sendable {
    var target: String?
    var reply: AsyncStream<Result<Handover, HandoverError>>.Continuation
}
