import ArgumentParser

/// `leader-election`: one copy of a workload that takes part in a leader election kept in a GitHub gist.
@main
struct LeaderElectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leader-election",
        abstract: "Elect one leader among copies in several clusters, with a GitHub gist as the lock.",
        subcommands: [RunCommand.self, StatusCommand.self, InitCommand.self, DefaultsCommand.self, HandoverCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
