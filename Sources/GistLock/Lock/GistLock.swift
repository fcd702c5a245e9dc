import Foundation
import GitSmartHTTP
public import LeaderElection
public import Logging
import TextEscaping

/// A `ResourceLock` whose record is the file `<election>.lock` in a GitHub gist.
///
/// Writes take one of two ways (`LockWriteStrategy`), chosen at init. Through REST
/// (`RESTWriteStrategy`): gists have no conditional write, so `update` compares before it writes (read again, write only if
/// the bytes are still those observed) and confirms a takeover by reading back after `settleTime`:
/// of two candidates that wrote at nearly the same moment, only the one whose bytes stayed leads.
/// Other files in the gist are never touched, and the lock is never read through `raw_url`.
///
/// Requests, as `GistRequestBudget` counts them. Every read is conditional (`If-None-Match`) on the
/// last answer kept, a 200 to a read or a PATCH; a 304 costs nothing against GitHub's hourly limit.
/// - `get`: one GET; a 304 unless the gist changed since the answer kept.
/// - `update` (a renewal or release): one GET (the compare; a 304 right after our own `get`), then
///   one PATCH. A takeover adds the read-back: one GET after `settleTime`, a 304 unless someone wrote.
/// - `create`: one GET, one PATCH, and the read-back GET.
/// So a steady leader's renewal (`get` + `update`) costs 1 PATCH and two 304s, and a follower pays
/// one counted GET per change of the content. The answer kept is dropped after any error or
/// conflict (a write that failed may have landed), so the next read is a full one.
///
/// With a `GitGistWriter`, writes are git pushes instead (`GitWriteStrategy`): a commit on the observed commit (the REST
/// answer's `history[0].version`) that receive-pack applies only if the branch is still there, so an
/// accepted push is ours, with no settle time and no read-back. A renewal builds on our own last commit
/// and sends no REST request; REST is then only for observing.
///
/// While a GitHub rate limit is in force every call fails at once with `GitHubError.rateLimited`,
/// without touching the network (the client holds requests until the reset), and the limit is logged
/// once, as a warning naming the reset time in UTC.
public actor GistLock: ResourceLock {
    /// Written as `holderIdentity` when this copy takes the lease.
    public nonisolated let identity: String
    /// The gist that holds the lock file.
    public nonisolated let gistID: String
    /// `<election>.lock`.
    public nonisolated let fileName: String
    /// How long a takeover waits before reading back its write.
    public nonisolated let settleTime: Duration

    let client: GistClient
    let clock: any Clock<Duration>
    private let logger: Logger
    /// The last 200 answer (to a GET, or to our own PATCH) and its ETag, reused when GitHub answers 304.
    var cached: (etag: String, gist: Gist)?
    /// The rate-limit deadline already logged, so each limit is logged once.
    private var loggedRetryAt: Date?
    /// How writes reach the gist: pushes (`GitWriteStrategy`) or PATCHes confirmed by a read-back
    /// (`RESTWriteStrategy`).
    private let writes: any LockWriteStrategy
    /// The newest read of the gist, the base of the next push; dropped after every push.
    var lastSeenView: GistView?

    /// `git` when writes are pushes, `rest` when they are PATCHes.
    public nonisolated let writeMode: String

    /// - Parameters:
    ///   - client: the GitHub API client.
    ///   - gistID: the gist holding the lock file (`--gist`).
    ///   - election: names the file `<election>.lock`; one gist can hold many elections.
    ///   - identity: written as `holderIdentity` when this copy leads.
    ///   - settleTime: the wait before a takeover reads back its write (default 1 s).
    ///   - clock: sleeps the settle time.
    ///   - logger: receives events and rate-limit warnings.
    ///   - gitWriter: pushes the writes to the gist's repository; `nil` writes through REST.
    public init(
        client: GistClient,
        gistID: String,
        election: String = "multi-cluster-leader-election",
        identity: String,
        settleTime: Duration = .seconds(1),
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger,
        gitWriter: GitGistWriter? = nil
    ) {
        let writes: any LockWriteStrategy = gitWriter.map { GitWriteStrategy(writer: $0) } ?? RESTWriteStrategy()
        self.writes = writes
        self.writeMode = writes.mode
        self.client = client
        self.gistID = gistID
        self.fileName = Self.fileName(election: election)
        self.identity = identity
        self.settleTime = settleTime
        self.clock = clock
        self.logger = logger
    }

    /// The gist file that holds an election's record.
    public static func fileName(election: String) -> String { "\(election).lock" }

    /// Creates a secret gist whose lock file holds a free lease (empty holder), for the app's `init`
    /// subcommand and demos; the returned gist's `id` is what `--gist` takes.
    public static func createGist(
        client: GistClient, election: String = "multi-cluster-leader-election", description: String
    ) async throws -> Gist {
        let free = LeaderElectionRecord(
            holderIdentity: "", leaseDurationSeconds: 1, acquireTime: nil, renewTime: nil, leaderTransitions: 0)
        let content = String(decoding: free.jsonBytes(), as: UTF8.self)
        return try await client.createGist(description: description, files: [fileName(election: election): content])
    }

    /// "Github gist lock: <identity>", as the Go original logs it.
    public nonisolated var describe: String { "Github gist lock: \(identity)" }

    /// Reads the lock file (conditionally, reusing the last body on 304): the record and its exact
    /// bytes, `nil` when the gist has no such file; a missing gist, a rejected token or a gist whose
    /// file list GitHub cut without the lock file throws `ResourceLockError.permanent`.
    public func get() async throws -> ObservedRecord? {
        guard let file = try await readLockFile() else { return nil }
        if file.truncated {
            throw ResourceLockError.invalidRecord(
                "lock file \(fileName) in gist \(gistID) is over 1 MB and GitHub truncated it, so it is not a lease "
                    + "record; first bytes: \(quotedPrefix(file.raw)); delete the file or replace it with a record",
                raw: file.raw)
        }
        do {
            return ObservedRecord(record: try LeaderElectionRecord(jsonBytes: file.raw), raw: file.raw)
        } catch {
            throw ResourceLockError.invalidRecord(
                "lock file \(fileName) in gist \(gistID) is not a lease record: \(decodingReason(error)); "
                    + "first bytes: \(quotedPrefix(file.raw)); fix or delete it, "
                    + "or let the election overwrite it once it stays unchanged for a lease duration",
                raw: file.raw)
        }
    }

    /// Adds the lock file unless it appeared meanwhile (then `conflict`): with git, a push on the commit
    /// last read; with REST, a PATCH whose claim is confirmed by reading back after the settle time.
    public func create(_ record: LeaderElectionRecord) async throws {
        try await writes.create(record, lock: self)
    }

    /// Writes `record` only if the file still holds exactly `observedRaw` (else `conflict`): with git, a
    /// push on the commit those bytes came from (our own last one for a renewal); with REST, a PATCH after
    /// a compare, and a takeover (new non-empty holder) is confirmed by reading back after the settle time.
    public func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8]) async throws {
        try await writes.update(record, expecting: observedRaw, lock: self)
    }

    /// Logs the event at info level with the lock, gist and file as metadata.
    public func recordEvent(_ message: String) async {
        logger.info("\(message)", metadata: ["lock": "\(describe)", "gist.id": "\(gistID)", "gist.file": "\(fileName)"])
    }

    // MARK: - Reading and writing the file

    struct LockFile: Equatable {
        var raw: [UInt8]
        var truncated: Bool
    }

    /// A read of the gist as far as the lock goes: the lock file's bytes (`nil` without the file) and
    /// the commit the answer showed.
    struct GistView {
        var raw: [UInt8]?
        var version: String?
    }

    /// The gist as GitHub shows it now, remembered as the base of the next push.
    func readGist() async throws -> GistView {
        try await read().view
    }

    /// The newest read when it showed `raw` (any content when `nil`), else a fresh read.
    func base(matching raw: [UInt8]?) async throws -> GistView {
        if let seen = lastSeenView, raw == nil || seen.raw == raw { return seen }
        return try await readGist()
    }

    /// The lock file as GitHub holds it now, or `nil` when the gist has no such file.
    func readLockFile() async throws -> LockFile? {
        try await read().file
    }

    /// One read of the gist: the lock file, and the view it gives the next push, kept as `lastSeenView`.
    private func read() async throws -> (file: LockFile?, view: GistView) {
        let gist: Gist
        switch try await calling({ [cached] in try await $0.getGist(self.gistID, ifNoneMatch: cached?.etag) }) {
        case .modified(let fresh, let etag):
            gist = fresh
            cached = etag.map { ($0, fresh) }
        case .notModified:
            guard let reused = cached?.gist else {
                throw GitHubError(
                    code: .unexpectedResponse,
                    message: "GitHub answered 304 for gist \(gistID) to a request without a cached copy: "
                        + "check that --github-api-url is a GitHub-compatible API", status: 304)
            }
            gist = reused
        }
        guard let file = gist.files[fileName] else {
            // A cut list proves nothing about absence: creating the file now could bury a live record.
            if gist.truncated {
                throw ResourceLockError.permanent(
                    "gist \(gistID) has more than 300 files, GitHub lists only the first 300, and \(fileName) "
                        + "is not among them: keep the lock in a gist with fewer files (--gist)")
            }
            return remember(nil, version: gist.version)
        }
        // A file GitHub lists without inline content can only be judged as "not a record".
        return remember(
            LockFile(raw: file.contentBytes ?? [], truncated: file.truncated || file.content == nil), version: gist.version)
    }

    private func remember(_ file: LockFile?, version: String?) -> (file: LockFile?, view: GistView) {
        let view = GistView(raw: file?.raw, version: version)
        lastSeenView = view
        return (file, view)
    }

    /// A conflict, after which the cached answer is no longer trusted.
    func conflict(_ message: String) -> ResourceLockError {
        cached = nil
        return .conflict(message)
    }

    /// Runs a client call; any failure drops the cached answer (a write that failed may have landed),
    /// and each new rate-limit deadline is logged once, with its time in UTC.
    func calling<T: Sendable>(_ call: @Sendable (GistClient) async throws -> T) async throws -> T {
        do {
            return try await call(client)
        } catch let error as GitHubError where error.isPermanent {
            cached = nil
            throw ResourceLockError.permanent(error.message)
        } catch let error as GitHubError where error.code == .rateLimited {
            cached = nil
            if let until = error.retryAt, until != loggedRetryAt {
                loggedRetryAt = until
                let utc = until.formatted(.iso8601)
                let capped =
                    error.cappedRetryAfter.map {
                        "; GitHub asked for Retry-After: \($0) s, more than the hour its limits reset within, "
                            + "so the wait is capped at one hour"
                    } ?? ""
                logger.warning(
                    "GitHub rate limit reached; no requests to GitHub until \(utc) (UTC)\(capped)",
                    metadata: ["lock": "\(describe)", "retry.at": "\(utc)", "error": "\(error)"])
            }
            throw error
        } catch {
            cached = nil
            throw error
        }
    }
}
