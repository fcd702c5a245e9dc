public import LeaderElection

extension LeaderElector: ParksOnClock {
    /// The elector's own count: see `LeaderElector.sleepersWhenIdle`.
    public var sleepersWhenParked: Int { sleepersWhenIdle }
}
