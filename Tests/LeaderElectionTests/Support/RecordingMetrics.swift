import Metrics
import Synchronization
import Testing

/// A swift-metrics factory for one election's metrics, injected instead of bootstrapping the global
/// system. It knows every metric the elector should create and records an issue for any other.
final class RecordingMetrics: MetricsFactory {
    final class Count: CounterHandler {
        private let total = Atomic<Int64>(0)
        var value: Int64 { total.load(ordering: .sequentiallyConsistent) }
        func increment(by amount: Int64) { total.add(amount, ordering: .sequentiallyConsistent) }
        func reset() { total.store(0, ordering: .sequentiallyConsistent) }
    }

    final class Value: RecorderHandler {
        private let last = Atomic<Int64>(-1)
        /// The last value recorded; -1 before any.
        var value: Int64 { last.load(ordering: .sequentiallyConsistent) }
        func record(_ value: Int64) { last.store(value, ordering: .sequentiallyConsistent) }
        func record(_ value: Double) { record(Int64(value)) }
    }

    /// A floating-point counter, kept in milliseconds so tests compare whole numbers.
    final class Seconds: FloatingPointCounterHandler {
        private let milliseconds = Atomic<Int64>(0)
        var value: Int64 { milliseconds.load(ordering: .sequentiallyConsistent) }
        func increment(by amount: Double) {
            milliseconds.add(Int64((amount * 1000).rounded()), ordering: .sequentiallyConsistent)
        }
        func reset() { milliseconds.store(0, ordering: .sequentiallyConsistent) }
    }

    private let counters: [String: Count]
    private let recorders: [String: Value]
    private let secondsCounters: [String: Seconds]

    init(election: String) {
        var counters = ["leader_election_transitions_total{name=\(election)}": Count()]
        for op in ["get", "create", "update"] {
            for outcome in ["success", "conflict", "not_found", "error", "invalid"] {
                counters["leader_election_lock_operations_total{name=\(election),op=\(op),outcome=\(outcome)}"] = Count()
            }
        }
        for kind in ["conflict", "unreachable", "throttled", "rejected"] {
            counters["leader_election_lock_errors_total{name=\(election),kind=\(kind)}"] = Count()
        }
        self.counters = counters
        recorders = [
            "leader_election_master_status{name=\(election)}": Value(),
            "leader_election_term{name=\(election)}": Value(),
            "leader_election_lease_age_seconds{name=\(election)}": Value(),
            "leader_election_failover_seconds{name=\(election)}": Value(),
        ]
        secondsCounters = ["leader_election_leaderless_seconds_total{name=\(election)}": Seconds()]
    }

    /// The counter named `label` with these dimensions, e.g. `counter("…_total", name: "e", op: "get")`.
    func counter(_ label: String, _ dimensions: KeyValuePairs<String, String>) -> Int64 {
        counters[Self.key(label, dimensions.map { ($0.key, $0.value) })]?.value ?? -1
    }

    func recorder(_ label: String, _ dimensions: KeyValuePairs<String, String>) -> Int64 {
        recorders[Self.key(label, dimensions.map { ($0.key, $0.value) })]?.value ?? -2
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        if let counter = counters[Self.key(label, dimensions)] { return counter }
        Issue.record("unexpected counter \(Self.key(label, dimensions))")
        return Count()
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        if let recorder = recorders[Self.key(label, dimensions)] { return recorder }
        Issue.record("unexpected recorder \(Self.key(label, dimensions))")
        return Value()
    }

    /// A floating-point counter's total, in milliseconds.
    func milliseconds(_ label: String, _ dimensions: KeyValuePairs<String, String>) -> Int64 {
        secondsCounters[Self.key(label, dimensions.map { ($0.key, $0.value) })]?.value ?? -1
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        if let counter = secondsCounters[Self.key(label, dimensions)] { return counter }
        Issue.record("unexpected floating-point counter \(label)")
        return NOOPMetricsHandler.instance
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Issue.record("unexpected timer \(label)")
        return NOOPMetricsHandler.instance
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        "\(label){\(dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ","))}"
    }
}
