/// What the elector last saw in the lock: client-go's observedRecord, observedRawRecord and observedTime.
struct Observation: Sendable {
    /// The last valid record seen or written (kept while the lock holds invalid bytes, for its term).
    var record: LeaderElectionRecord?
    /// The stored bytes last seen or written; change is detected by comparing them.
    var raw: [UInt8]?
    /// When `raw` last changed, on our own clock.
    var time: Duration?
    /// Whether `raw` is content that is not a record.
    var invalid = false
    /// The highest term seen in any record or started by this copy (noted when it starts): every new
    /// term goes past it.
    var highestTerm: Int?
    /// The holder last reported through `onNewLeader`.
    var reportedLeader = ""

    /// The holder of the last valid observation; nil while the lock holds invalid content.
    var holder: String? { invalid ? nil : record?.holderIdentity }

    mutating func note(_ record: LeaderElectionRecord, raw: [UInt8], at instant: Duration) {
        self.record = record
        self.raw = raw
        time = instant
        invalid = false
        noteTerm(record.leaderTransitions)
    }

    mutating func noteInvalid(raw: [UInt8], at instant: Duration) {
        self.raw = raw
        time = instant
        invalid = true
    }

    mutating func noteTerm(_ term: Int) {
        highestTerm = max(highestTerm ?? term, term)
    }

    /// The term after every term seen or started; 0 when none was ever seen. `nil` when that term would
    /// pass `LeaderElectionRecord.highestTerm`: a term is never handed out twice, so none is claimed.
    var nextTerm: Int? {
        guard let highestTerm else { return 0 }
        return highestTerm < LeaderElectionRecord.highestTerm ? highestTerm + 1 : nil
    }
}

/// Whether this copy competes or leads.
enum Phase: Sendable, Equatable {
    case candidate
    /// Leading `term`; the renew deadline counts from the start of the last successful renewal.
    case leading(term: Int, lastRenewal: Duration)

    var lastRenewal: Duration? {
        if case .leading(_, let lastRenewal) = self { return lastRenewal }
        return nil
    }
}

/// This copy's own writes that the lock may hold: the last one confirmed, and those in doubt since
/// (failed without a clear answer, so they may have landed). A later read showing exactly the bytes of
/// one of them proves it landed, at the latest when its attempt started.
struct OwnWrites: Sendable {
    struct Write: Sendable, Equatable {
        var record: LeaderElectionRecord
        var bytes: [UInt8]
        /// When the attempt that made it started: a write that landed counts as a success from here.
        var started: Duration
    }

    private(set) var confirmed: Write?
    private(set) var inDoubt: [Write] = []
    /// The highest term this copy has started (handed to `onStartedLeading`).
    var startedTerm: Int?

    /// Bounds the writes in doubt kept: the renew deadline ends a term after a handful of attempts.
    private static let inDoubtKept = 8

    mutating func confirm(_ write: Write) {
        confirmed = write
        inDoubt = []
    }

    mutating func doubt(_ write: Write) {
        inDoubt.append(write)
        if inDoubt.count > Self.inDoubtKept { inDoubt.removeFirst() }
    }

    /// Forgets the writes in doubt: a read showed that none of them is stored.
    mutating func clearDoubts() { inDoubt = [] }

    /// The write of ours whose bytes are exactly `raw`, if any.
    func matching(_ raw: [UInt8]) -> Write? {
        if let confirmed, confirmed.bytes == raw { return confirmed }
        return inDoubt.last { $0.bytes == raw }
    }

    var hasDoubts: Bool { !inDoubt.isEmpty }

    /// Whether `term` may still be started: terms this copy led once never come back.
    func canStart(_ term: Int) -> Bool { startedTerm.map { term > $0 } ?? true }
}

/// Log de-duplication: one lasting problem is logged once, not at every attempt.
struct LogMemory: Sendable {
    /// Why the last attempt failed, for the line that ends a term at the renew deadline.
    var lastFailure: String?
    /// The failure last logged as an error; cleared when an attempt goes well.
    var loggedFailure: String?
    /// The odd leaseDurationSeconds last warned about, so each is reported once.
    var warnedLeaseSeconds: Int?
    /// The last successful renewal whose failed successors were reported at info level: only the first
    /// retry of a streak is, so an outage long enough to end the term fills no log.
    var retryReportedAfter: Duration?
}
