import LeaderElection
import ServiceLifecycle

/// Shuts the service group down gracefully once the lock fails for good, and keeps the reason.
actor Stopper {
    private var group: ServiceGroup?
    private(set) var failure: PermanentFailure?

    func attach(_ group: ServiceGroup) {
        self.group = group
    }

    func stop(because error: ResourceLockError) async {
        guard failure == nil else { return }
        failure = PermanentFailure(description: error.description)
        await group?.triggerGracefulShutdown()
    }
}
