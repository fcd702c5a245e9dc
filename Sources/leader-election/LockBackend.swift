import ArgumentParser
import Foundation
import LeaderElection
import Logging

/// One store the app can elect through, as its options parsed from the command line: a backend lives
/// in its own folder under Backends/ and is listed once, in `BackendOptions`. The core knows it only
/// through this protocol and `LockStore`.
protocol LockBackend: ParsableArguments {
    /// The value of `--lock` that picks it.
    static var name: String { get }
    /// What the election's name names in this store, for `--help`: "the gist file <election>.lock".
    static var lockName: String { get }
    /// What `init` does for this store, for `init --help`.
    static var initSummary: String { get }
    /// Its options given on the command line (as `--flag`) or through the environment (as the
    /// variable's name), so that they can be refused when another backend is picked.
    func given(environment: [String: String]) -> [String]
    /// Checks its settings (an `AppError` names the bad one and its fix) and returns the store; `extras`
    /// are the subcommand's own options of every backend (`BackendRunOptions`, `BackendInitOptions`).
    func open(_ lock: LockSettings, extras: [any BackendExtraOptions], environment: [String: String]) throws
        -> any LockStore
    /// Its defaults for `leader-election defaults`, keyed as the output names them.
    static func defaults(config: LeaderElectionConfig) -> [String: any Sendable]
    /// Throws a `ValidationError` naming an option given to `init` that `init` would ignore.
    func validateForInit() throws
}

extension LockBackend {
    func validateForInit() throws {}
}

/// A backend's options that one subcommand alone uses, such as `run`'s request-rate check or `init`'s
/// description: listed in that subcommand's `BackendRunOptions` or `BackendInitOptions`, under the
/// backend's heading, and refused like its other options when another backend is picked.
protocol BackendExtraOptions: ParsableArguments {
    /// The `--lock` name of the backend they belong to.
    static var backend: String { get }
    /// As `LockBackend.given(environment:)`.
    func given(environment: [String: String]) -> [String]
}

extension LockBackend {
    /// For `given(environment:)`: the flags set, then the variables of `variables` set in `environment`.
    static func given(flags: [(flag: String, set: Bool)], variables: [String], environment: [String: String]) -> [String] {
        flags.filter(\.set).map(\.flag) + variables.filter { environment.nonEmpty($0) != nil }
    }
}

/// A backend's store with its settings checked: what `run`, `status` and `init` do with it.
protocol LockStore: Sendable {
    /// Reaches the store, checks at start what retrying cannot heal (a `PermanentFailure`), and builds
    /// the lock `run.identity` elects through, with the backend's metrics in `metrics`.
    func start(run: RunSettings, metrics: AppMetrics, logger: Logger) async throws -> RunningLock
    /// Reads the record for `status`, with the backend's own facts.
    func status() async throws -> LockStatus
    /// What `init` does for this store; returns the line printed on standard output.
    func initialize() async throws -> String
}

/// The lock a run elects through, and what the backend adds to the endpoint and the metrics.
struct RunningLock: Sendable {
    var lock: any ResourceLock
    /// Facts shown at `/leader` beside the elector's picture, such as the gist lock's `writeMode`.
    var facts: [String: String] = [:]
    /// Refreshes the backend's gauges, called before each scrape of `/metrics`.
    var refreshMetrics: @Sendable () async -> Void = {}
}

/// What `status` shows of a store: the record read, where it lives, and the backend's own facts.
struct LockStatus: Sendable {
    var observed: ObservedRecord?
    /// Where the record lives, for people: "x.lock in gist 1234", "etcd key /leader-election/x".
    var place: String
    /// Why there is no record, for people, when the store holds none.
    var missing: String
    var facts: [LockFact] = []
}

/// One fact a backend adds to `status`: a JSON field, and a line for people when `label` is set.
struct LockFact: Sendable, Equatable {
    var key: String
    var value: String
    var label: String?
    /// Said after the value in the line for people only.
    var note: String?
}

/// The picked backend's store, for a run, `status` or `init`.
extension LockOptions {
    func store(_ settings: LockSettings, extras: [any BackendExtraOptions] = [], environment: [String: String]) throws
        -> any LockStore
    {
        guard let backend = backend(named: settings.backend) else {
            throw AppError(
                "unknown lock \"\(settings.backend)\": give \(BackendOptions.names.joined(separator: " or ")) with --lock")
        }
        return try backend.open(settings, extras: extras, environment: environment)
    }

    /// The backend of that `--lock` name, as its options were parsed.
    func backend(named name: String) -> (any LockBackend)? {
        backends.all.first { type(of: $0).name == name }
    }
}
