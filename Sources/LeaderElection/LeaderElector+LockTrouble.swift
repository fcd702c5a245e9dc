/// What `status()` and the health check say about the lock's last answer: an operator tells a store
/// that refuses or throttles this copy from one that answers, without reading the logs.
extension LeaderElector {
    /// A lock call failed: kept as "<kind>: <error>" until a call succeeds.
    func lockFailed(_ error: any Error) {
        lastLockError = "\(LockErrorKind(error).rawValue): \(error)"
    }

    /// A lock call was answered (a record, no record, or content that is not one).
    func lockAnswered() {
        lastLockError = nil
    }
}
