/// What the elector tells its user, as client-go's `LeaderCallbacks`. All three run off the election
/// loop, so a slow callback never delays a renewal; `onNewLeader` and `onStoppedLeading` are delivered
/// one at a time in the order they happened.
public struct LeaderCallbacks: Sendable {
    /// Called when this process starts leading, with the term (the record's `leaderTransitions` when
    /// it took the lease: a fencing token that grows with every change of holder). It runs as a child
    /// task that is cancelled when leadership ends (it may start already cancelled if the term was
    /// very short), and must return promptly once cancelled: the elector waits for it before
    /// releasing the lease or competing again.
    public var onStartedLeading: @Sendable (_ term: Int) async -> Void
    /// Called whenever leadership ends, after `onStartedLeading` has returned, and also when `run()`
    /// ends without leading (as client-go: do not assume it follows an `onStartedLeading`).
    public var onStoppedLeading: @Sendable () async -> Void
    /// Called on every change of the observed holder, including the first observation and this
    /// process itself; never for an empty (released) holder.
    public var onNewLeader: @Sendable (_ identity: String) async -> Void

    /// Creates the callbacks; `onNewLeader` is optional.
    public init(
        onStartedLeading: @escaping @Sendable (_ term: Int) async -> Void,
        onStoppedLeading: @escaping @Sendable () async -> Void,
        onNewLeader: @escaping @Sendable (_ identity: String) async -> Void = { _ in }
    ) {
        self.onStartedLeading = onStartedLeading
        self.onStoppedLeading = onStoppedLeading
        self.onNewLeader = onNewLeader
    }
}
