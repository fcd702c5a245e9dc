import ArgumentParser

@testable import leader_election

/// The gist lock's options as `run` parses them: those every subcommand takes and `run`'s own.
struct GistRunArguments: ParsableArguments {
    @OptionGroup var gist: GistOptions
    @OptionGroup var run: GistRunOptions

    func settings(lock: LockSettings = LockSettings(backend: GistOptions.name), environment: [String: String]) throws
        -> GistSettings
    {
        try GistSettings(gist, run: run, lock: lock, environment: environment)
    }
}
