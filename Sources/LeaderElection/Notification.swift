/// A callback to deliver, queued so that callbacks run one at a time, in order, off the election loop.
enum Notification: Sendable {
    case newLeader(String)
    case stoppedLeading
    /// Lets the waiting `onStartedLeading` begin, so it never runs before the `onNewLeader` queued
    /// ahead of it.
    case startLeading(AsyncStream<Never>.Continuation)

    /// Delivers every queued notification until the queue is finished.
    static func deliver(_ queue: AsyncStream<Notification>, to callbacks: LeaderCallbacks) async {
        for await notification in queue {
            switch notification {
            case .newLeader(let identity): await callbacks.onNewLeader(identity)
            case .stoppedLeading: await callbacks.onStoppedLeading()
            case .startLeading(let gate): gate.finish()
            }
        }
    }
}
