import LeaderElection
import LeaderElectionTestKit

/// Callbacks whose leading work runs until it is cancelled and then notes "work ended" in `store`'s
/// journal; with `notingStop`, the end of leadership is noted too, as "stopped".
func journalingCallbacks(_ store: LeaseStore, notingStop: Bool = false) -> LeaderCallbacks {
    LeaderCallbacks(
        onStartedLeading: { _ in
            let (work, keepAlive) = AsyncStream.makeStream(of: Never.self)
            for await _ in work {}
            keepAlive.finish()
            await store.note("work ended")
        },
        onStoppedLeading: { if notingStop { await store.note("stopped") } })
}
