public import LeaderElection

extension ManualClock {
    /// Whether `elector` leads after each of `samples` steps of `step`, settled after each: a term held
    /// throughout reads all `true`.
    public func leadership(of elector: LeaderElector, samples: Int, every step: Duration) async -> [Bool] {
        var leading: [Bool] = []
        for _ in 0..<samples {
            await advance(by: step, step: step, settling: [elector])
            leading.append(await elector.status().isLeader)
        }
        return leading
    }
}
