import Prometheus

extension PrometheusCollectorRegistry {
    /// Sets one gauge per value of `label`: 1 for `current`, 0 for the others (all 0 when it is nil),
    /// so that a query can pick the one in force.
    func setOneHot(_ descriptor: MetricNameDescriptor, label: String, values: [String], current: String?) {
        for value in values {
            makeGauge(descriptor: descriptor, labels: [(label, value)]).set(value == current ? 1.0 : 0.0)
        }
    }
}
