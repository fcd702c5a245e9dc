import CoreMetrics
import Prometheus

/// The elector's metrics in the app's Prometheus registry, with help text (units are in the names) and
/// the failover histogram's buckets; anything else goes to the plain Prometheus factory.
struct ElectionMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    var plain: PrometheusMetricsFactory { PrometheusMetricsFactory(registry: registry) }

    static let help: [String: String] = [
        "leader_election_master_status": "1 while this copy leads the election, 0 otherwise.",
        "leader_election_transitions_total": "Changes of the lease's holder this copy observed (or made).",
        "leader_election_lock_operations_total": "Lock calls by verb and outcome.",
        "leader_election_lock_errors_total": "Failed lock calls by kind.",
        "leader_election_term":
            "The highest term (the record's leaderTransitions) this copy has seen or started: the fencing token.",
        "leader_election_lease_age_seconds":
            "Seconds since the holder's last renewal this copy observed (its own last renewal while it leads).",
        "leader_election_failover_seconds":
            "Seconds from the last renewal of the previous holder that this copy observed to its own acquisition.",
        "leader_election_leaderless_seconds_total": "Seconds during which this copy observed no valid holder.",
    ]
    /// From a handover within one attempt to a crash failover after a whole lease at the defaults.
    static let failoverBuckets: [Double] = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 300]

    /// The label whole as the metric's name (the unit is already in it), with its help line.
    private static func descriptor(_ label: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: help)
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        guard let help = Self.help[label] else { return plain.makeCounter(label: label, dimensions: dimensions) }
        return registry.makeCounter(descriptor: Self.descriptor(label, help), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        guard let help = Self.help[label] else { return plain.makeFloatingPointCounter(label: label, dimensions: dimensions) }
        return registry.makeCounter(descriptor: Self.descriptor(label, help), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard let help = Self.help[label] else {
            return plain.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
        }
        if aggregate {
            return registry.makeValueHistogram(
                descriptor: Self.descriptor(label, help), labels: dimensions, buckets: Self.failoverBuckets)
        }
        return registry.makeGauge(descriptor: Self.descriptor(label, help), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        plain.makeMeter(label: label, dimensions: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        plain.makeTimer(label: label, dimensions: dimensions)
    }

    func destroyCounter(_ handler: any CounterHandler) { plain.destroyCounter(handler) }
    func destroyMeter(_ handler: any MeterHandler) { plain.destroyMeter(handler) }
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { plain.destroyFloatingPointCounter(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { plain.destroyRecorder(handler) }
    func destroyTimer(_ handler: any TimerHandler) { plain.destroyTimer(handler) }
}
