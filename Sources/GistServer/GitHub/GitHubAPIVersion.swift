/// The REST API versions GitHub publishes (`X-GitHub-Api-Version`) that this server answers.
public enum GitHubAPIVersion {
    /// GitHub's first dated version, and its default when a request names none.
    public static let v2022_11_28 = "2022-11-28"
    /// The newest version: `base-gist` lost `forks` and `history`, `/rate_limit` lost `rate`.
    public static let v2026_03_10 = "2026-03-10"

    /// Whether `version` is 2026-03-10 or later, whose shapes drop the fields deprecated before it.
    static func dropsDeprecatedFields(_ version: String) -> Bool {
        version >= v2026_03_10
    }
}
