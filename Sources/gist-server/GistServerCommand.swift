import ArgumentParser
import Foundation
import GistServer
import Hummingbird
import Logging

/// `gist-server`: a local server that answers the gist endpoints as api.github.com does.
@main
struct GistServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gist-server",
        abstract: "A local server that answers GitHub's gist endpoints (POST /gists, GET/PATCH/DELETE /gists/{id}, ...).",
        discussion: """
            Logs go to stderr; stdout carries only the id printed by --create-gist. Tokens are never printed.

            GitHub's routes, at X-GitHub-Api-Version 2022-11-28 (the default) and 2026-03-10:
              POST /gists, GET /gists, /gists/public, /gists/starred, /users/{username}/gists
              GET/PATCH/DELETE /gists/{id}, GET /gists/{id}/commits, GET /gists/{id}/{sha}
              PUT/DELETE/GET /gists/{id}/star, POST/GET /gists/{id}/forks
              GET/POST /gists/{id}/comments, GET/PATCH/DELETE /gists/{id}/comments/{comment_id}
              GET /user, GET /users/{username}, GET /rate_limit (not counted against the limit)

            Routes for tests, not GitHub's (no token needed; on a --host other than loopback only
            health, unless --expose-admin-routes):
              GET    /_gist-server/stats         requests by method, route, status and token label
              POST   /_gist-server/reset-stats   forget the counts
              GET    /_gist-server/faults        faults in force
              POST   /_gist-server/faults        add one, e.g. {"status":503,"count":3,"methods":["PATCH"]}
              DELETE /_gist-server/faults        remove every fault
              PUT    /_gist-server/gists/ID/files/NAME   replace a file's content with the raw body (new revision)
              GET    /_gist-server/health        {"status":"ok"}

            A fault matches on methods, path, token (label), client (IP address) and userAgent, hits the
            next `count` matching requests (all when absent), and does one or more of:
              status, retryAfter, message   answer this status in GitHub's shape (403/429 + retryAfter: secondary limit)
              latencyMs                     wait before handling (a delayed write lands after its client gave up)
              responseDelayMs               handle at once, then wait before answering (a slow write that succeeded)
              blackhole: drop | hold        answer nothing: close at once, or hold silent for latencyMs (60 s), then close
              staleRevisions, serveVersion  answer GET with the gist as it was N revisions ago, or at a version
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free port (see --ready-file).")
    var port = 8787

    @Option(name: .customLong("token"), help: ArgumentHelp("A token with the gist scope (repeatable).", valueName: "value"))
    var tokens: [String] = []

    // An array so that a second --token-file is an error rather than silently the only one read.
    @Option(help: ArgumentHelp("File with one token per line (# comments), kept out of the process list.", valueName: "path"))
    var tokenFile: [String] = []

    @Option(
        name: .customLong("token-without-gist-scope"),
        help: ArgumentHelp("A valid token that lacks the gist scope: writes answer 404 (repeatable).", valueName: "value"))
    var tokensWithoutGistScope: [String] = []

    @Option(help: ArgumentHelp("JSON file that keeps the gists across restarts, written atomically.", valueName: "path"))
    var stateFile: String?

    @Option(
        help: ArgumentHelp(
            "Directory of the gists' bare git repositories, served at /{gist_id}.git "
                + "(default: beside --state-file, else a new temporary directory).",
            valueName: "path"))
    var repositories: String?

    @Flag(
        help: ArgumentHelp(
            "Serve the /_gist-server/ routes on a --host other than loopback too. They have no authentication: "
                + "whoever reaches them can overwrite any gist's files and make the server fail or drop any request."))
    var exposeAdminRoutes = false

    @Flag(help: "Keep gists without git repositories: no git URLs are served and git need not be installed.")
    var noGit = false

    @Flag(help: "Once listening, create a secret gist with a README.md owned by the first token and print its id on stdout.")
    var createGist = false

    @Option(help: ArgumentHelp("Once listening, write http://HOST:PORT to this file atomically.", valueName: "path"))
    var readyFile: String?

    @Option(help: ArgumentHelp("Login of the user every token belongs to.", valueName: "login"))
    var login = AccessToken.defaultLogin

    @Option(help: ArgumentHelp("Primary rate limit per token and window.", valueName: "n"))
    var rateLimit = 5000

    @Option(help: ArgumentHelp("Primary rate limit per client address without a token.", valueName: "n"))
    var rateLimitUnauthenticated = 60

    @Option(help: ArgumentHelp("Primary rate-limit window in seconds.", valueName: "seconds"))
    var rateLimitWindow = 3600

    @Option(help: ArgumentHelp("Status of a primary rate-limit answer: 403 or 429.", valueName: "status"))
    var rateLimitStatus = 403

    @Option(
        help: ArgumentHelp(
            "Secondary limit: content-creating requests (POST/PATCH/DELETE) per minute per caller.", valueName: "n"))
    var secondaryLimitPerMinute = 80

    @Option(help: ArgumentHelp("Secondary limit: content-creating requests per hour per caller.", valueName: "n"))
    var secondaryLimitPerHour = 500

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error, critical")
        }
        guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
        guard tokenFile.count <= 1 else {
            throw ValidationError(
                "--token-file was given \(tokenFile.count) times; give it once (one file may hold several tokens, one per line)")
        }
        guard !(noGit && repositories != nil) else {
            throw ValidationError("--no-git and --repositories exclude each other; give one of them")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            return handler
        }
        let logger = Logger(label: "gist-server")
        let configuration = try makeConfiguration()
        try configuration.validate()
        guard !createGist || configuration.tokens.contains(where: \.hasGistScope) else {
            throw ValidationError("--create-gist needs a token with the gist scope; give --token or --token-file")
        }
        if !configuration.tokens.contains(where: \.hasGistScope) {
            logger.warning("no token with the gist scope: every write will answer 401 or 404; give --token or --token-file")
        }
        if !GistServerConfiguration.isLoopback(host) {
            let text =
                exposeAdminRoutes
                ? "the /_gist-server/ routes are served on \(host) without authentication: whoever reaches them can "
                    + "overwrite any gist's files, inject faults that fail, delay or drop any request, and read or "
                    + "reset the request tally; expose them only on a network you trust"
                : "the /_gist-server/ routes other than health are off on \(host), which is not loopback; "
                    + "give --expose-admin-routes to serve them"
            logger.log(level: exposeAdminRoutes ? .warning : .notice, "\(text)")
        }
        let store = try await FileBackedGistStore.open(configuration)
        let owner = configuration.tokens.first(where: \.hasGistScope)?.login ?? login
        let (createGist, readyFile) = (createGist, readyFile)
        let app = buildApplication(validated: configuration, store: store, logger: logger) { address in
            logger.info("listening", metadata: ["url": "\(address.url)", "tokens": "\(configuration.tokens.count)"])
            do {
                if createGist {
                    let gist = try await store.create(.startupReadme(serverURL: address.url), owner: owner)
                    FileHandle.standardOutput.write(Data((gist.id + "\n").utf8))
                }
                if let readyFile { try address.writeReadyFile(at: readyFile) }
            } catch {
                FileHandle.standardError.write(Data("gist-server: \(error)\n".utf8))
                Foundation.exit(1)
            }
        }
        do {
            try await app.runService()
        } catch {
            throw GistServerError.cannotListen(host: host, port: port, underlying: error)
        }
    }

    /// Tokens labelled token-1, token-2... in the order given (flags, then file), then the tokens
    /// without the gist scope as no-gist-scope-1...; a value given twice counts once.
    private func makeConfiguration() throws -> GistServerConfiguration {
        var scoped = tokens
        for file in tokenFile { scoped += try AccessToken.values(fromFile: file) }
        var seen = Set<String>()
        var accepted: [AccessToken] = []
        for value in scoped where seen.insert(value).inserted {
            accepted.append(AccessToken(value: value, label: "token-\(accepted.count + 1)", login: login))
        }
        var unscoped = 0
        for value in tokensWithoutGistScope where seen.insert(value).inserted {
            unscoped += 1
            accepted.append(AccessToken(value: value, label: "no-gist-scope-\(unscoped)", hasGistScope: false, login: login))
        }
        var configuration = GistServerConfiguration(tokens: accepted)
        configuration.host = host
        configuration.port = port
        configuration.stateFile = stateFile
        configuration.exposeAdminRoutes = exposeAdminRoutes
        configuration.repositoriesDirectory =
            noGit
            ? nil
            : repositories
                ?? stateFile.map { $0 + ".repositories" }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("gist-server-\(UUID().uuidString)").path
        configuration.rateLimits.authenticatedLimit = rateLimit
        configuration.rateLimits.unauthenticatedLimit = rateLimitUnauthenticated
        configuration.rateLimits.windowSeconds = rateLimitWindow
        configuration.rateLimits.exceededStatus = rateLimitStatus
        configuration.rateLimits.contentCreationPerMinute = secondaryLimitPerMinute
        configuration.rateLimits.contentCreationPerHour = secondaryLimitPerHour
        return configuration
    }

    /// Runs the command; any failure, bad flags included, ends as one line on stderr and a non-zero exit.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }  // --help, --version
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("gist-server: \(message)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}
