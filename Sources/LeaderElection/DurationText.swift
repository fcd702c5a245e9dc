/// Durations as people write them in flags and messages ("15s", "2.5s"), not as `Duration` prints them.
extension Duration {
    /// "15s", "2.5s", "0.25s": whole seconds without a fraction, otherwise the shortest decimal form.
    var text: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds)s" }
        return "\(secondsValue)s"
    }

    /// The duration in seconds, as a floating-point number: the one conversion every target of the package uses.
    package var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
