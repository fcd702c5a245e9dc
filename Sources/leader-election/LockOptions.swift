import ArgumentParser
import Foundation
import LeaderElection

/// Which store holds the lock and what every store shares; with each backend's options under its
/// own heading. Shared by `run`, `status` and `init`.
struct LockOptions: ParsableArguments {
    @Option(
        help:
            "Which store holds the lock: \(BackendOptions.names.joined(separator: " or ")). [env: LEADER_ELECTION_LOCK] (default: \(BackendOptions.defaultName))"
    )
    var lock: String?

    @Option(
        help:
            "Election name; it names the lock in its store: \(BackendOptions.types.map { "\($0.lockName) with --lock \($0.name)" }.joined(separator: ", ")). [env: LEADER_ELECTION_ELECTION] (default: \(ElectionDefaults.name))"
    )
    var election: String?

    @Option(
        help:
            "Timeout of each request to the lock's store; at most half the retry period, so a renewal whose two requests time out still leaves room for the next retry on time. [env: LEADER_ELECTION_REQUEST_TIMEOUT] (default: \(GoDuration(ElectionDefaults.requestTimeout)))"
    )
    var requestTimeout: GoDuration?

    @OptionGroup var backends: BackendOptions

    /// Refuses, as a usage error, a bad `--lock` and the options of backends that were not picked.
    func validate() throws {
        let environment = ProcessInfo.processInfo.environment
        try refuseOthers(environment: environment)
    }

    /// The backend `--lock` (then LEADER_ELECTION_LOCK) picks.
    func backendName(environment: [String: String]) throws -> String {
        let name = lock ?? environment.nonEmpty("LEADER_ELECTION_LOCK") ?? BackendOptions.defaultName
        guard BackendOptions.names.contains(name) else {
            let origin = lock != nil ? "--lock \(name)" : "LEADER_ELECTION_LOCK=\"\(name)\""
            if let trait = BackendOptions.leftOut.first(where: { $0.name == name })?.trait {
                throw ValidationError(
                    "\(origin): this leader-election was built without the \(name) lock (as make demo builds it for the "
                        + "gist lock): use a build with the \(trait) package trait (swift build, make build's image), "
                        + "or give \(BackendOptions.names.joined(separator: " or "))")
            }
            throw ValidationError("unknown lock in \(origin): give \(BackendOptions.names.joined(separator: " or "))")
        }
        return name
    }

    /// Throws a `ValidationError` naming the first option given for a backend that was not picked,
    /// among the options every subcommand takes and the subcommand's own `extras`.
    func refuseOthers(environment: [String: String], extras: [any BackendExtraOptions] = []) throws {
        let picked = try backendName(environment: environment)
        let given =
            backends.all.map { (type(of: $0).name, $0.given(environment: environment)) }
            + extras.map { (type(of: $0).backend, $0.given(environment: environment)) }
        for (name, options) in given {
            guard name != picked, let option = options.first else { continue }
            let fix = option.hasPrefix("--") ? "drop \(option)" : "unset \(option)"
            throw ValidationError(
                "\(option) is an option of the \(name) lock, but the lock is \(picked): \(fix), or pick that lock with --lock \(name)"
            )
        }
    }
}

/// `LockOptions` after flags, then environment, then defaults were applied and checked.
struct LockSettings: Sendable {
    /// The picked backend's name.
    var backend: String
    var election: String
    var requestTimeout: Duration

    init(_ options: LockOptions, extras: [any BackendExtraOptions] = [], environment: [String: String]) throws {
        do {
            try options.refuseOthers(environment: environment, extras: extras)
            backend = try options.backendName(environment: environment)
        } catch let error as ValidationError {
            throw AppError(error.message)
        }
        election = options.election ?? environment.nonEmpty("LEADER_ELECTION_ELECTION") ?? ElectionDefaults.name
        guard !election.isEmpty, election.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw AppError(
                "invalid election name \"\(election)\": use letters, digits, '-', '_' or '.' (it names the lock: "
                    + BackendOptions.types.map { $0.lockName }.joined(separator: ", ") + ")")
        }
        requestTimeout =
            try GoDuration.setting(
                options.requestTimeout, "--request-timeout", "LEADER_ELECTION_REQUEST_TIMEOUT", environment)
            ?? ElectionDefaults.requestTimeout
        guard requestTimeout > .zero else {
            throw AppError("--request-timeout must be greater than 0s")
        }
    }

    /// Settings for tests and callers that pick a backend in code.
    init(backend: String, election: String = ElectionDefaults.name, requestTimeout: Duration = ElectionDefaults.requestTimeout) {
        self.backend = backend
        self.election = election
        self.requestTimeout = requestTimeout
    }
}

extension Dictionary where Key == String, Value == String {
    /// The variable's value, treating an empty one as unset.
    func nonEmpty(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }
}
