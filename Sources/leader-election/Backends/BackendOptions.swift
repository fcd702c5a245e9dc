import ArgumentParser

/// The one list of backends: each one's options under its own `--help` heading. Adding a backend
/// is a folder beside Gist and Etcd and a line here (and in the lists below, if it has options of
/// one subcommand only); the core is left as it is.
struct BackendOptions: ParsableArguments {
    @OptionGroup(title: "Gist lock") var gist: GistOptions
    #if Etcd
    @OptionGroup(title: "etcd lock") var etcd: EtcdOptions

    /// Every backend, as its options were parsed.
    var all: [any LockBackend] { [gist, etcd] }

    static let types: [any LockBackend.Type] = [GistOptions.self, EtcdOptions.self]
    /// Backends this build was made without, each with the package trait that brings it.
    static let leftOut: [(name: String, trait: String)] = []
    #else
    var all: [any LockBackend] { [gist] }

    static let types: [any LockBackend.Type] = [GistOptions.self]
    static let leftOut: [(name: String, trait: String)] = [("etcd", "Etcd")]
    #endif
    static var names: [String] { types.map { $0.name } }
    /// The backend used when none is picked.
    static var defaultName: String { GistOptions.name }
}

/// Each backend's options that only `run` uses, under the backend's heading of `run --help`.
struct BackendRunOptions: ParsableArguments {
    @OptionGroup(title: "Gist lock") var gist: GistRunOptions

    var all: [any BackendExtraOptions] { [gist] }
}

/// Each backend's options that only `init` uses, under the backend's heading of `init --help`.
struct BackendInitOptions: ParsableArguments {
    @OptionGroup(title: "Gist lock") var gist: GistInitOptions

    var all: [any BackendExtraOptions] { [gist] }
}
