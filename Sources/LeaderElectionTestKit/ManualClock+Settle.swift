/// Something whose tasks sleep on a `ManualClock` whenever it has nothing to do until time moves on.
/// It says how many, so that the clock (and a test) need not know its insides.
public protocol ParksOnClock: Sendable {
    /// How many of its tasks sleep on the clock once it has nothing left to do until time moves on.
    var sleepersWhenParked: Int { get async }
}

extension ManualClock {
    /// Waits until everything is parked: the clock's sleepers are exactly those `parties` have when
    /// they have nothing to do. Their answers are read before and after the sleepers, and only an
    /// unchanged reading counts, so a transition in flight is never taken for a settled state.
    public func settle(_ parties: [any ParksOnClock]) async {
        while true {
            let version = await version
            let before = await Self.parked(parties)
            let sleeping = await activeSleepers
            let after = await Self.parked(parties)
            if before == after, sleeping == before.reduce(0, +) { return }
            await waitForChange(after: version)
        }
    }

    /// Settles, then advances in `step`s until `elapsed` has passed, settling after each step.
    public func advance(by elapsed: Duration, step: Duration, settling parties: [any ParksOnClock]) async {
        await settle(parties)
        var done = Duration.zero
        while done < elapsed {
            await advance(by: step)
            done += step
            await settle(parties)
        }
    }

    private static func parked(_ parties: [any ParksOnClock]) async -> [Int] {
        var counts: [Int] = []
        for party in parties { counts.append(await party.sleepersWhenParked) }
        return counts
    }
}
