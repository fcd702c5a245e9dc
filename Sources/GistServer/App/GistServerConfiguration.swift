public import Foundation

/// Everything that shapes one gist server: where it listens, who may use it, its limits and its
/// sense of time.
public struct GistServerConfiguration: Sendable {
    /// Address to listen on; loopback by default.
    public var host: String = "127.0.0.1"
    /// Port to listen on; 0 picks a free one.
    public var port: Int = 8787
    /// Accepted tokens. Labels must be unique.
    public var tokens: [AccessToken] = []
    /// JSON file that keeps the gists across restarts; `nil` keeps them in memory only.
    public var stateFile: String?
    /// Directory of the gists' bare git repositories, served over smart HTTP at `/{gist_id}.git`;
    /// `nil` keeps files in memory (and the state file) only, without git.
    public var repositoriesDirectory: String?
    /// Primary and secondary rate limits.
    public var rateLimits: RateLimitPolicy = RateLimitPolicy()
    /// Values of X-GitHub-Api-Version the server accepts; the first is used when none is sent.
    public var apiVersions: [String] = [GitHubAPIVersion.v2022_11_28, GitHubAPIVersion.v2026_03_10]
    /// Versions GitHub no longer serves: asked for, they answer 410 Gone rather than 400.
    public var retiredAPIVersions: [String] = []
    /// File content longer than this many bytes is cut in JSON answers and marked truncated.
    public var inlineContentLimit: Int = 1 << 20
    /// Largest request body accepted, in bytes.
    public var maxRequestBodySize: Int = 32 << 20
    /// Serve the admin routes under `/_gist-server/` (faults, stats, raw file edits; no authentication)
    /// on an address other than loopback too. Off, only `health` is served there.
    public var exposeAdminRoutes = false
    /// Clock for waits (injected latency); a test clock makes them instant.
    public var clock: any Clock<Duration> = ContinuousClock()
    /// Wall time for timestamps and rate-limit windows; tests move it by hand.
    public var now: @Sendable () -> Date = { Date() }

    /// Creates a configuration with GitHub's defaults and the given tokens.
    public init(tokens: [AccessToken] = []) {
        self.tokens = tokens
    }

    /// Whether the admin routes are served: always on loopback, elsewhere only when asked for.
    public var servesAdminRoutes: Bool { exposeAdminRoutes || Self.isLoopback(host) }

    /// `localhost`, 127.0.0.0/8 or ::1; not the wildcard addresses, which listen on every interface.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4, octets[0] == "127", octets.allSatisfy({ UInt8($0) != nil }) { return true }
        return bare == "::1" || bare.lowercased() == "0:0:0:0:0:0:0:1" || bare.lowercased() == "::ffff:127.0.0.1"
    }

    /// Checks the settings that would otherwise fail later or confusingly.
    /// - Throws: `GistServerError` naming the setting and the fix.
    public func validate() throws(GistServerError) {
        guard (0...65535).contains(port) else {
            throw .invalidConfiguration("port \(port) is out of range; use 0...65535 (0 picks a free port)")
        }
        let labels = tokens.map(\.label)
        guard Set(labels).count == labels.count else {
            throw .invalidConfiguration("token labels must be unique; got \(labels.joined(separator: ", "))")
        }
        guard !tokens.contains(where: { $0.value.isEmpty || $0.value.contains(where: \.isWhitespace) }) else {
            throw .invalidConfiguration("a token is empty or contains whitespace; give each token as one word")
        }
        guard inlineContentLimit > 0, maxRequestBodySize > 0 else {
            throw .invalidConfiguration("content and body size limits must be positive")
        }
        try rateLimits.validate()
    }
}
