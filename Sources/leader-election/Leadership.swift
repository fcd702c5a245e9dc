/// Whether this copy has led since it last stopped, so "no longer the leader" is said only by a leader.
actor Leadership {
    private var leading = false

    func started() { leading = true }

    /// Returns whether this copy was leading.
    func stopped() -> Bool {
        defer { leading = false }
        return leading
    }
}
