import Foundation
import LeaderElection
import Metrics
import Prometheus

/// The app's Prometheus registry: the elector's metrics, the time since the last renewal refreshed at
/// each scrape, and whatever metrics the lock's backend keeps in `registry`.
struct AppMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    var factory: ElectionMetricsFactory { ElectionMetricsFactory(registry: registry) }

    // Computed: the descriptor type is not Sendable, so it cannot be a stored static.
    private static var sinceRenewal: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "leader_election", metricName: "since_last_renewal", unitName: "seconds",
            helpText: "Seconds since this copy last wrote the lease; -1 when it has not led yet.")
    }

    /// The text served at `/metrics`, after refreshing the gauges that are read rather than pushed.
    func scrape(status: ElectorStatus) -> String {
        registry.makeGauge(descriptor: Self.sinceRenewal, labels: [("name", status.election)])
            .set(status.sinceLastRenewal.map(Self.seconds) ?? -1)
        return registry.emitToString()
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
