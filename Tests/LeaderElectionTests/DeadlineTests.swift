import LeaderElection
import LeaderElectionTestKit
import Testing

/// The renew deadline ends the work even while a lock call ignores cancellation.
@Suite(.timeLimit(.minutes(1))) struct DeadlineTests {
    let h = Harness()

    @Test func theWorkIsCancelledAtTheDeadlineWhileAStuckRenewalIgnoresCancellation() async throws {
        let lock = FakeLock(identity: "a")
        await lock.script(get: [.notFound, .networkError, .networkError], create: [.ok], update: [.ok])
        let gate = CallbackLog()
        // The renewal's write waits for the gate, whatever cancellation says.
        await lock.setProbe { verb in
            guard verb == "update" else { return }
            await gate.append("stuck")
            await gate.waitFor("open")
        }
        let elector = h.elector(lock)
        let task = h.start(elector)
        await h.callbacks.waitFor("started:0")
        await h.settle([elector])
        await h.clock.advance(by: .seconds(2))
        await gate.waitFor("stuck")
        #expect(await lock.count("update") == 1, "the renewal at 2 is stuck")
        await h.clock.advance(by: .seconds(3))
        await h.callbacks.waitFor("work ended")
        #expect(await elector.status().isLeader == false)
        #expect(await elector.status().leader == "")
        #expect(await h.callbacks.entries == ["new:a", "started:0", "work ended"], "stopped only once the call returns")
        await gate.append("open")
        await h.callbacks.waitFor("stopped")
        task.cancel()
        try await task.value
    }
}
