public import Foundation

/// One change of holder or term, as one copy saw it (or made it).
public struct LeadershipTransition: Sendable, Equatable, Codable {
    /// The copy that holds the lease from then on.
    public var holder: String
    /// Its term (the record's `leaderTransitions`).
    public var term: Int
    /// When this copy first saw it, by its wall clock (or when it acquired the lease itself).
    public var seen: Date

    public init(holder: String, term: Int, seen: Date) {
        self.holder = holder
        self.term = term
        self.seen = seen
    }
}

/// What the elector remembers of leadership over time: the last transitions, and the state the
/// leaderless time is counted from.
struct LeadershipHistory: Sendable {
    /// How many transitions are kept: enough for `status`, bounded for a copy that runs for months.
    static let kept = 10

    private(set) var transitions: [LeadershipTransition] = []
    /// When the leaderless time was last brought up to date (our clock); nil before the first time.
    var accounted: Duration?
    /// Until when, as of `accounted`, a valid holder was known; nil when none was.
    var validUntil: Duration?

    /// Notes `holder` at `term` unless it is the last transition already noted.
    mutating func note(holder: String, term: Int, seen: Date) {
        if let last = transitions.last, last.holder == holder, last.term == term { return }
        transitions.append(.init(holder: holder, term: term, seen: seen))
        if transitions.count > Self.kept { transitions.removeFirst() }
    }

    /// The leaderless time between the last accounting and `now`, given what was known then.
    func leaderless(until now: Duration) -> Duration {
        guard let accounted else { return .zero }
        let from = validUntil.map { max(accounted, $0) } ?? accounted
        return now > from ? now - from : .zero
    }
}

extension LeaderElector {
    /// Brings the history metrics up to date at `now`: the leaderless time since the last accounting,
    /// the term, the lease's age; then remembers until when the holder known now stays valid. Called
    /// after every attempt and change of phase, so it is exact between them.
    func accountHistory(at now: Duration) {
        let leaderless = history.leaderless(until: now)
        if leaderless > .zero { metrics.leaderless(leaderless) }
        history.accounted = now
        if let lastRenewal = phase.lastRenewal {
            history.validUntil = lastRenewal + config.renewDeadline
        } else if !leaderSignal(at: now).isEmpty, let seen = observation.time, let record = observation.record {
            history.validUntil = seen + config.honouredLease(seconds: record.leaseDurationSeconds)
        } else {
            history.validUntil = nil
        }
        if let term = observation.terms.highest { metrics.term(term) }
        if let age = phase.lastRenewal ?? observation.time { metrics.leaseAge(now - age) }
    }
}
