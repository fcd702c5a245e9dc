/// A snapshot of what one elector knows, for an HTTP status endpoint or a `status` command.
public struct ElectorStatus: Sendable, Equatable {
    /// This process's identity (the holder it writes).
    public var identity: String
    /// The election's name.
    public var election: String
    /// Whether this process currently leads.
    public var isLeader: Bool
    /// The last valid record seen or written; nil before the first read, or while the lock holds
    /// content that is not a record.
    public var observedRecord: LeaderElectionRecord?
    /// Time since the stored record was last seen to change (on this process's clock).
    public var sinceObservedChange: Duration?
    /// Time since this process last wrote the record successfully (acquire or renew).
    public var sinceLastRenewal: Duration?
    /// The lock's description, e.g. "Github gist lock: napoleon".
    public var lock: String

    /// Creates a snapshot.
    public init(
        identity: String, election: String, isLeader: Bool, observedRecord: LeaderElectionRecord?,
        sinceObservedChange: Duration?, sinceLastRenewal: Duration?, lock: String
    ) {
        self.identity = identity
        self.election = election
        self.isLeader = isLeader
        self.observedRecord = observedRecord
        self.sinceObservedChange = sinceObservedChange
        self.sinceLastRenewal = sinceLastRenewal
        self.lock = lock
    }
}
