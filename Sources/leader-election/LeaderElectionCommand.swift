import ArgumentParser

/// `leader-election`: one copy of a workload that takes part in a leader election kept in a lock
/// store, one of `BackendOptions`.
@main
struct LeaderElectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leader-election",
        abstract:
            "Elect one leader among copies in several clusters, through a lock in a store they share (--lock \(BackendOptions.names.joined(separator: " or "))).",
        subcommands: [RunCommand.self, StatusCommand.self, InitCommand.self, DefaultsCommand.self, HandoverCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
