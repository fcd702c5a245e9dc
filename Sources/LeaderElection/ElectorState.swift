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
    /// The terms seen in records and started by this copy: every new term goes past them.
    var terms = Terms()
    /// The holder last reported through `onNewLeader`.
    var reportedLeader = ""

    /// The holder of the last valid observation; nil while the lock holds invalid content.
    var holder: String? { invalid ? nil : record?.holderIdentity }

    mutating func note(_ record: LeaderElectionRecord, raw: [UInt8], at instant: Duration) {
        self.record = record
        self.raw = raw
        time = instant
        invalid = false
        terms.saw(record.leaderTransitions)
    }

    mutating func noteInvalid(raw: [UInt8], at instant: Duration) {
        self.raw = raw
        time = instant
        invalid = true
    }
}

/// The one account of terms: the highest seen in any record or started by this copy, and whether this
/// copy started it. A term is handed to `onStartedLeading` at most once, and only if it is past every
/// term seen, so the term works as a fencing token.
struct Terms: Sendable, Equatable {
    /// The highest term seen or started; nil before any.
    private(set) var highest: Int?
    /// Whether this copy started `highest` (a term it led never comes back).
    private(set) var highestStarted = false

    /// Notes a term read from (or written into) a record.
    mutating func saw(_ term: Int) {
        if let highest, term <= highest { return }
        highest = term
        highestStarted = false
    }

    /// Notes the term this copy starts leading.
    mutating func started(_ term: Int) {
        saw(term)
        if term == highest { highestStarted = true }
    }

    /// Whether `term`, of a claim of ours that landed, may still be started: past every term seen, or
    /// the highest seen if this copy has not started it.
    func mayStart(_ term: Int) -> Bool {
        guard let highest else { return true }
        return term > highest || (term == highest && !highestStarted)
    }

    /// The term after every term seen or started; 0 when none was ever seen. `nil` when that term would
    /// pass `LeaderElectionRecord.highestTerm`: a term is never handed out twice, so none is claimed.
    var next: Int? {
        guard let highest else { return 0 }
        return highest < LeaderElectionRecord.highestTerm ? highest + 1 : nil
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
}

/// Log de-duplication: one lasting problem is logged once, not at every attempt.
struct LogMemory: Sendable {
    /// The failure last logged as an error; cleared when an attempt goes well.
    var loggedFailure: String?
    /// The odd leaseDurationSeconds last warned about, so each is reported once.
    var warnedLeaseSeconds: Int?
    /// The last successful renewal whose failed successors were reported at info level: only the first
    /// retry of a streak is, so an outage long enough to end the term fills no log.
    var retryReportedAfter: Duration?
}
