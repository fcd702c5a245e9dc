import Foundation
import GistLock
import LeaderElection
import Metrics
import Prometheus

/// The app's Prometheus registry: the elector's metrics, GitHub requests by method and status, and
/// gauges refreshed at each scrape (rate-limit headers, time since the last renewal).
struct AppMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    var factory: ElectionMetricsFactory { ElectionMetricsFactory(registry: registry) }

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
    private static var heldUntil: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "github", metricName: "rate_limited_until", unitName: "timestamp_seconds",
            helpText: "Until when requests are held back after a rate-limit answer, as Unix time; 0 when not.")
    }
    private static var limitedAnswers: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "github", metricName: "rate_limited_answers", unitName: "total",
            helpText: "Rate-limit answers (403 or 429) received since start.")
    }
    private static var heldRequests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "github", metricName: "held_requests", unitName: "total",
            helpText: "Requests not sent because a rate-limit hold was in force.")
    }
    private static var sinceRenewal: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "leader_election", metricName: "since_last_renewal", unitName: "seconds",
            helpText: "Seconds since this copy last wrote the lease; -1 when it has not led yet.")
    }

    private static var writeMode: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "leader_election", metricName: "write_mode", unitName: "",
            helpText: "How the lock is written: 1 for the mode in force (git: pushes, rest: PATCHes with a read-back).")
    }

    /// Sets the write-mode gauge once, at start: 1 for `mode`, 0 for the other.
    func setWriteMode(_ mode: String) {
        for each in ["git", "rest"] {
            registry.makeGauge(descriptor: Self.writeMode, labels: [("mode", each)]).set(each == mode ? 1.0 : 0.0)
        }
    }

    /// Counts one GitHub request; `status` nil means no answer came (network error or timeout).
    func countRequest(method: String, status: Int?) {
        registry.makeCounter(
            descriptor: Self.requests, labels: [("method", method), ("status", status.map(String.init) ?? "none")]
        ).increment()
    }

    /// The text served at `/metrics`, after refreshing the gauges that are read rather than pushed.
    func scrape(status: ElectorStatus, rateLimit: RateLimitSnapshot) -> String {
        if let remaining = rateLimit.latest?.remaining {
            registry.makeGauge(descriptor: Self.rateLimitRemaining).set(Double(remaining))
        }
        if let reset = rateLimit.latest?.reset {
            registry.makeGauge(descriptor: Self.rateLimitReset).set(reset.timeIntervalSince1970)
        }
        registry.makeGauge(descriptor: Self.heldUntil).set(rateLimit.retryAt?.timeIntervalSince1970 ?? 0)
        registry.makeGauge(descriptor: Self.limitedAnswers).set(Double(rateLimit.limitedAnswers))
        registry.makeGauge(descriptor: Self.heldRequests).set(Double(rateLimit.heldRequests))
        registry.makeGauge(descriptor: Self.sinceRenewal, labels: [("name", status.election)])
            .set(status.sinceLastRenewal.map(Self.seconds) ?? -1)
        return registry.emitToString()
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
