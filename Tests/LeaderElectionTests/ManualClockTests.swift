import LeaderElection
import LeaderElectionTestKit
import Testing

/// The test clock is neutral: `settle` asks each party how many sleepers it parks, so neither the
/// clock nor a test counts an elector's loops.
@Suite(.timeLimit(.minutes(1))) struct ManualClockTests {
    /// Two loops that each do some work off the clock between sleeps of one second.
    actor TwoLoops: ParksOnClock {
        let clock: ManualClock
        private(set) var ticks = 0
        private var loops: [Task<Void, Never>] = []
        init(clock: ManualClock) { self.clock = clock }

        nonisolated var sleepersWhenParked: Int { 2 }

        func start() {
            for _ in 0..<2 {
                loops.append(
                    Task {
                        while !Task.isCancelled {
                            do { try await clock.sleep(for: .seconds(1)) } catch { return }
                            for _ in 0..<50 { await Task.yield() }
                            tick()
                        }
                    })
            }
        }

        private func tick() { ticks += 1 }

        func stop() async {
            loops.forEach { $0.cancel() }
            for loop in loops { await loop.value }
        }
    }

    @Test func settleWaitsUntilEveryPartyIsParkedAgain() async {
        let clock = ManualClock()
        let loops = TwoLoops(clock: clock)
        await loops.start()
        await clock.settle([loops])
        #expect(await loops.ticks == 0)
        for second in 1...3 {
            await clock.advance(by: .seconds(1))
            await clock.settle([loops])
            #expect(await loops.ticks == 2 * second, "both loops worked and slept again")
            #expect(await clock.activeSleepers == 2)
        }
        await loops.stop()
    }

    /// An elector says how many of its tasks park: one as a candidate, two while leading, none after
    /// its run.
    @Test func anElectorSaysHowManySleepersItParks() async throws {
        let h = Harness()
        let store = LeaseStore()
        let elector = h.elector(InMemoryLock(store: store, identity: "a"))
        #expect(await elector.sleepersWhenParked == 1, "about to compete")
        let task = await h.running(elector)
        #expect(await elector.status().isLeader)
        #expect(await elector.sleepersWhenParked == 2, "renew loop and watchdog")
        #expect(await h.clock.activeSleepers == 2)
        await store.overwrite(record("b", transitions: 9).jsonBytes())
        await h.advance(by: .seconds(2), step: .seconds(2), settling: [elector])
        #expect(await elector.status().isLeader == false)
        #expect(await elector.sleepersWhenParked == 1, "the pause between attempts")
        #expect(await h.clock.activeSleepers == 1)
        task.cancel()
        try await task.value
        #expect(await elector.sleepersWhenParked == 0)
    }
}
