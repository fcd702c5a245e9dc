import Foundation
import GistLock
import LeaderElection
import Metrics
import Prometheus

/// The app's Prometheus registry: the elector's metrics, GitHub requests by method and status, and
/// gauges refreshed at each scrape (rate-limit headers, time since the last renewal).
struct AppMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    var factory: PrometheusMetricsFactory { PrometheusMetricsFactory(registry: registry) }

    // Computed: the descriptor type is not Sendable, so it cannot be a stored static.
    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "github", metricName: "requests", unitName: "total",
            helpText: "GitHub API requests by method and HTTP status (none: no answer came).")
    }
    private static var rateLimitRemaining: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "github", metricName: "rate_limit_remaining", unitName: "requests",
            helpText: "x-ratelimit-remaining of the last GitHub answer.")
    }
    private static var rateLimitReset: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "github", metricName: "rate_limit_reset", unitName: "timestamp_seconds",
            helpText: "x-ratelimit-reset of the last GitHub answer, as Unix time.")
    }
    private static var sinceRenewal: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "leader_election", metricName: "since_last_renewal", unitName: "seconds",
            helpText: "Seconds since this copy last wrote the lease; -1 when it has not led yet.")
    }

    /// Counts one GitHub request; `status` nil means no answer came (network error or timeout).
    func countRequest(method: String, status: Int?) {
        registry.makeCounter(
            descriptor: Self.requests, labels: [("method", method), ("status", status.map(String.init) ?? "none")]
        ).increment()
    }

    /// The text served at `/metrics`, after refreshing the gauges that are read rather than pushed.
    func scrape(status: ElectorStatus, rateLimit: RateLimitStatus?) -> String {
        if let remaining = rateLimit?.remaining {
            registry.makeGauge(descriptor: Self.rateLimitRemaining).set(Double(remaining))
        }
        if let reset = rateLimit?.reset {
            registry.makeGauge(descriptor: Self.rateLimitReset).set(reset.timeIntervalSince1970)
        }
        registry.makeGauge(descriptor: Self.sinceRenewal, labels: [("name", status.election)])
            .set(status.sinceLastRenewal.map(Self.seconds) ?? -1)
        return registry.emitToString()
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
