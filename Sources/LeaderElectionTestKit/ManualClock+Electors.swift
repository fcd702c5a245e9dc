public import LeaderElection

extension ManualClock {
    /// Waits until every running elector is asleep: one sleeper per candidate, two per leader (renew
    /// loop and deadline watchdog); a lock call that sleeps on this clock takes the place of the loop
    /// that waits for it. Leadership is read before and after the sleepers, and only an unchanged
    /// reading counts, so a transition in flight is never mistaken for a settled state.
    public func settle(_ electors: [LeaderElector]) async {
        while true {
            let version = await version
            let before = await Self.inTerm(electors)
            let sleeping = await activeSleepers
            let after = await Self.inTerm(electors)
            if before == after, sleeping == electors.count + before.filter({ $0 }).count { return }
            await waitForChange(after: version)
        }
    }

    /// Settles, then advances in `step`s until `elapsed` has passed, settling after each step.
    public func advance(by elapsed: Duration, step: Duration, settling electors: [LeaderElector]) async {
        await settle(electors)
        var done = Duration.zero
        while done < elapsed {
            await advance(by: step)
            done += step
            await settle(electors)
        }
    }

    /// Which electors are in a term (renewing, with a watchdog), whether or not their deadline passed.
    public static func inTerm(_ electors: [LeaderElector]) async -> [Bool] {
        var result: [Bool] = []
        for elector in electors { result.append(await elector.status().sinceLastRenewal != nil) }
        return result
    }
}
