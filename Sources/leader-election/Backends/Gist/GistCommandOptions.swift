import ArgumentParser
import LeaderElection

/// The gist lock's options that only `run` uses: what the request-rate check at start assumes, and the
/// takeover's settle time. Under the "Gist lock" heading of `run --help`; with `--lock gist` only.
struct GistRunOptions: BackendExtraOptions {
    static let backend = GistOptions.name
    static let variables = [
        "LEADER_ELECTION_CANDIDATES", "LEADER_ELECTION_ELECTIONS", "LEADER_ELECTION_CHECK_LIMITS",
        "LEADER_ELECTION_TAKEOVER_SETTLE",
    ]

    @Option(
        help:
            "How many copies take part, for the expected GitHub request rate checked at start. [env: LEADER_ELECTION_CANDIDATES] (default: \(ElectionDefaults.candidates))"
    )
    var candidates: Int?

    @Option(
        help:
            "How many elections share this token (each with --candidates copies), for the expected GitHub request rate checked at start. [env: LEADER_ELECTION_ELECTIONS] (default: \(ElectionDefaults.elections))"
    )
    var elections: Int?

    @Option(
        help:
            "Which limits the expected request rate is checked against at start: github (GitHub's documented limits), off, or auto (github when the API URL is api.github.com, off for other servers such as gist-server). [env: LEADER_ELECTION_CHECK_LIMITS] (default: auto)"
    )
    var checkLimits: String?

    @Option(
        help:
            "How long to wait before reading back a takeover, so a simultaneous claimer is noticed. [env: LEADER_ELECTION_TAKEOVER_SETTLE] (default: \(GoDuration(ElectionDefaults.takeoverSettle)))"
    )
    var takeoverSettle: GoDuration?

    func given(environment: [String: String]) -> [String] {
        GistOptions.given(
            flags: [
                ("--candidates", candidates != nil), ("--elections", elections != nil),
                ("--check-limits", checkLimits != nil), ("--takeover-settle", takeoverSettle != nil),
            ], variables: Self.variables, environment: environment)
    }
}

/// The gist lock's option that only `init` uses. Under the "Gist lock" heading of `init --help`; with
/// `--lock gist` only.
struct GistInitOptions: BackendExtraOptions {
    static let backend = GistOptions.name

    @Option(help: "Description of the gist init creates. (default: \(GistStore.defaultDescription))")
    var description: String?

    func given(environment: [String: String]) -> [String] {
        GistOptions.given(flags: [("--description", description != nil)], variables: [], environment: environment)
    }
}
