import Metrics

/// The elector's metrics through swift-metrics: a no-op unless the application bootstraps a backend
/// (or passes a factory).
struct ElectionMetrics: Sendable {
    /// A lock verb, as the `op` dimension.
    enum Operation: String, CaseIterable, Sendable { case get, create, update }
    /// How a lock call ended, as the `outcome` dimension.
    enum Outcome: String, CaseIterable, Sendable {
        case success, conflict
        case notFound = "not_found"
        case error, invalid
    }

    /// 1 while this process leads the election, 0 otherwise (client-go's `leader_election_master_status`).
    private let masterStatus: Gauge
    /// Changes of the observed holder.
    private let transitions: Counter
    private let operations: [String: Counter]
    /// Failed lock calls by `LockErrorKind`.
    private let errors: [LockErrorKind: Counter]
    /// The highest term seen or started (a gauge).
    private let termGauge: Recorder
    /// Seconds since the holder's last observed renewal (our own last renewal while leading).
    private let leaseAgeGauge: Recorder
    /// Seconds from the last observed change of the previous holder's record to this copy's acquisition.
    private let failover: Recorder
    /// Seconds this copy observed no valid holder.
    private let leaderlessTime: FloatingPointCounter

    /// The metric names, for a backend that adds help text and buckets.
    static let termName = "leader_election_term"
    static let leaseAgeName = "leader_election_lease_age_seconds"
    static let failoverName = "leader_election_failover_seconds"
    static let leaderlessName = "leader_election_leaderless_seconds_total"

    init(name: String, factory: any MetricsFactory) {
        masterStatus = Gauge(label: "leader_election_master_status", dimensions: [("name", name)], factory: factory)
        transitions = Counter(
            label: "leader_election_transitions_total", dimensions: [("name", name)], factory: factory)
        var operations: [String: Counter] = [:]
        for operation in Operation.allCases {
            for outcome in Outcome.allCases {
                operations[Self.key(operation, outcome)] = Counter(
                    label: "leader_election_lock_operations_total",
                    dimensions: [("name", name), ("op", operation.rawValue), ("outcome", outcome.rawValue)],
                    factory: factory)
            }
        }
        self.operations = operations
        termGauge = Recorder(label: Self.termName, dimensions: [("name", name)], aggregate: false, factory: factory)
        leaseAgeGauge = Recorder(label: Self.leaseAgeName, dimensions: [("name", name)], aggregate: false, factory: factory)
        failover = Recorder(label: Self.failoverName, dimensions: [("name", name)], aggregate: true, factory: factory)
        leaderlessTime = FloatingPointCounter(label: Self.leaderlessName, dimensions: [("name", name)], factory: factory)
        errors = Dictionary(
            uniqueKeysWithValues: LockErrorKind.allCases.map {
                (
                    $0,
                    Counter(
                        label: "leader_election_lock_errors_total", dimensions: [("name", name), ("kind", $0.rawValue)],
                        factory: factory)
                )
            })
    }

    /// Counts a failed lock call by its kind.
    func lockError(_ error: any Error) { errors[LockErrorKind(error)]?.increment() }

    func leading(_ isLeading: Bool) { masterStatus.record(isLeading ? 1 : 0) }

    func transitionSeen() { transitions.increment() }

    func term(_ term: Int) { termGauge.record(Double(term)) }

    func leaseAge(_ age: Duration) { leaseAgeGauge.record(age.secondsValue) }

    func failedOver(after elapsed: Duration) { failover.record(max(elapsed, .zero).secondsValue) }

    func leaderless(_ elapsed: Duration) { leaderlessTime.increment(by: elapsed.secondsValue) }

    func lockCall(_ operation: Operation, _ outcome: Outcome) {
        operations[Self.key(operation, outcome)]?.increment()
    }

    private static func key(_ operation: Operation, _ outcome: Outcome) -> String {
        "\(operation.rawValue)/\(outcome.rawValue)"
    }
}
