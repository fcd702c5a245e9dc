// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
import Foundation
import Prometheus

/// The etcd lock's metrics, in the app's registry: which member the lock talks to, refreshed at each scrape.
struct EtcdMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    // Computed: the descriptor type is not Sendable, so it cannot be a stored static.
    private static var memberAnswering: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "leader_election", metricName: "etcd_member_answering", unitName: "",
            helpText: "1 for the etcd member whose answer the lock's last call took, 0 for the other members.")
    }

    /// Sets the gauge of every member: 1 for `answering`, 0 for the others (all 0 before any answered).
    func refresh(endpoints: [URL], answering: URL?) {
        registry.setOneHot(
            Self.memberAnswering, label: "member", values: endpoints.map(\.absoluteString), current: answering?.absoluteString)
    }
}
#endif
