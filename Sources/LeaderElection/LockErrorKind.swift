/// What kind of failure a lock call met, as the `kind` of `leader_election_lock_errors_total`: it tells
/// "another copy won" (conflict) from "the store could not be reached" (unreachable), "the store asked
/// us to wait" (throttled) and "the store refused us" (rejected).
public enum LockErrorKind: String, CaseIterable, Sendable {
    case conflict, unreachable, throttled, rejected

    /// The kind of `error`: a lock's own classification when it gives one, else from the lock contract.
    public init(_ error: any Error) {
        if let classified = error as? any ClassifiedLockError {
            self = classified.lockErrorKind
        } else if let error = error as? ResourceLockError {
            self = error.code == .conflict ? .conflict : .rejected
        } else {
            // Network errors, timeouts and cancellations: nothing answered in time.
            self = .unreachable
        }
    }
}

/// An error that says which `LockErrorKind` it is, for locks whose transport knows better than the
/// lock contract (a rate limit is not an unreachable store).
public protocol ClassifiedLockError: Error {
    /// The kind of this failure.
    var lockErrorKind: LockErrorKind { get }
}
