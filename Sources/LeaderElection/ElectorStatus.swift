/// A snapshot of what one elector knows, for an HTTP status endpoint or a `status` command.
public struct ElectorStatus: Sendable, Equatable {
    /// This process's identity (the holder it writes).
    public var identity: String
    /// The last lock call's failure while no call has succeeded since, as "<kind>: <what the lock
    /// said>" with the kind of `LockErrorKind` (a throttled GitHub lock names the time it sends again);
    /// nil once a call succeeds.
    public var lastLockError: String?
    /// The election's name.
    public var election: String
    /// Whether this process leads and is within its renew deadline.
    public var isLeader: Bool
    /// Whom a workload should take as leader now: this identity while `isLeader`, another holder while
    /// the observation of its record is younger than its lease, and "" otherwise.
    public var leader: String
    /// The last valid record seen or written; nil before the first read, or while the lock holds
    /// content that is not a record.
    public var observedRecord: LeaderElectionRecord?
    /// Time since the stored record was last seen to change (on this process's clock).
    public var sinceObservedChange: Duration?
    /// Time since this process last wrote the record successfully (acquire or renew).
    public var sinceLastRenewal: Duration?
    /// The lock's description, as its `describe` gives it.
    public var lock: String
    /// Why this process last stopped leading, nil while it never did: "taken: ..." when another copy
    /// took or released the lease, "cut off: ..." when no renewal succeeded within the renew deadline.
    public var lastStandDown: String?
    /// The term of `leader`: this copy's own term while it leads, else the observed record's; nil when
    /// `leader` is empty. Only the leader's own answer is a fencing token.
    public var leaderTerm: Int?
    /// The last changes of holder this copy saw or made, oldest first (at most
    /// `LeadershipHistory.kept`).
    public var transitions: [LeadershipTransition] = []

    /// Creates a snapshot.
    public init(
        identity: String, election: String, isLeader: Bool, leader: String, observedRecord: LeaderElectionRecord?,
        sinceObservedChange: Duration?, sinceLastRenewal: Duration?, lock: String, lastStandDown: String? = nil,
        lastLockError: String? = nil
    ) {
        self.lastLockError = lastLockError
        self.lastStandDown = lastStandDown
        self.identity = identity
        self.election = election
        self.isLeader = isLeader
        self.leader = leader
        self.observedRecord = observedRecord
        self.sinceObservedChange = sinceObservedChange
        self.sinceLastRenewal = sinceLastRenewal
        self.lock = lock
    }
}
