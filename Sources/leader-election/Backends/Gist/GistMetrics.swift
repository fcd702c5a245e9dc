import Foundation
import GistLock
import Prometheus

/// The gist lock's metrics, in the app's registry: GitHub requests by method and status, the write
/// mode, and gauges refreshed at each scrape from the rate-limit headers.
struct GistMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    // Computed: the descriptor type is not Sendable, so it cannot be a stored static.
    private static var requests: MetricNameDescriptor {
        github("requests", unit: "total", help: "GitHub API requests by method and HTTP status (none: no answer came).")
    }
    private static var rateLimitRemaining: MetricNameDescriptor {
        github("rate_limit_remaining", unit: "requests", help: "x-ratelimit-remaining of the last GitHub answer.")
    }
    private static var rateLimitReset: MetricNameDescriptor {
        github("rate_limit_reset", unit: "timestamp_seconds", help: "x-ratelimit-reset of the last GitHub answer, as Unix time.")
    }
    private static var heldUntil: MetricNameDescriptor {
        github(
            "rate_limited_until", unit: "timestamp_seconds",
            help: "Until when requests are held back after a rate-limit answer, as Unix time; 0 when not.")
    }
    private static var limitedAnswers: MetricNameDescriptor {
        github("rate_limited_answers", unit: "total", help: "Rate-limit answers (403 or 429) received since start.")
    }
    private static var heldRequests: MetricNameDescriptor {
        github("held_requests", unit: "total", help: "Requests not sent because a rate-limit hold was in force.")
    }
    private static var writeMode: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "leader_election", metricName: "write_mode", unitName: "",
            helpText: "How the lock is written: 1 for the mode in force (git: pushes, rest: PATCHes with a read-back).")
    }

    private static func github(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "github", metricName: name, unitName: unit, helpText: help)
    }

    /// Sets the write-mode gauge once, at start: 1 for `mode`, 0 for the other.
    func setWriteMode(_ mode: String) {
        registry.setOneHot(Self.writeMode, label: "mode", values: ["git", "rest"], current: mode)
    }

    /// Counts one GitHub request; `status` nil means no answer came (network error or timeout).
    func countRequest(method: String, status: Int?) {
        registry.makeCounter(
            descriptor: Self.requests, labels: [("method", method), ("status", status.map(String.init) ?? "none")]
        ).increment()
    }

    /// Refreshes the gauges read from the last rate-limit headers, before a scrape.
    func refresh(_ rateLimit: RateLimitSnapshot) {
        if let remaining = rateLimit.latest?.remaining {
            registry.makeGauge(descriptor: Self.rateLimitRemaining).set(Double(remaining))
        }
        if let reset = rateLimit.latest?.reset {
            registry.makeGauge(descriptor: Self.rateLimitReset).set(reset.timeIntervalSince1970)
        }
        registry.makeGauge(descriptor: Self.heldUntil).set(rateLimit.retryAt?.timeIntervalSince1970 ?? 0)
        registry.makeGauge(descriptor: Self.limitedAnswers).set(Double(rateLimit.limitedAnswers))
        registry.makeGauge(descriptor: Self.heldRequests).set(Double(rateLimit.heldRequests))
    }
}
