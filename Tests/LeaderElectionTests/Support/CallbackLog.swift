import LeaderElection

/// Records callbacks in the order they ran: "new:a", "started:3", "work ended", "stopped".
actor CallbackLog {
    private(set) var entries: [String] = []
    private var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    func append(_ entry: String) {
        entries.append(entry)
        let ready = waiters.filter { $0.count <= entries.count }
        waiters.removeAll { $0.count <= entries.count }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Returns once at least `count` entries were recorded.
    func waitForEntries(_ count: Int) async {
        if entries.count >= count { return }
        await withCheckedContinuation { waiters.append((count, $0)) }
    }

    /// Returns once `entry` was recorded.
    func waitFor(_ entry: String) async {
        while !entries.contains(entry) { await waitForEntries(entries.count + 1) }
    }

    /// Callbacks that record into this log; onStartedLeading then keeps "working" until cancelled.
    nonisolated var callbacks: LeaderCallbacks {
        LeaderCallbacks(
            onStartedLeading: { term in
                await self.append("started:\(term)")
                let (work, keepAlive) = AsyncStream.makeStream(of: Never.self)
                for await _ in work {}  // ends when the task is cancelled
                keepAlive.finish()
                await self.append("work ended")
            },
            onStoppedLeading: { await self.append("stopped") },
            onNewLeader: { await self.append("new:\($0)") })
    }
}
