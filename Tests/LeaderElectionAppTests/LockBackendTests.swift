import ArgumentParser
import EtcdLock
import Foundation
import LeaderElection
import Logging
import Prometheus
import Testing

@testable import leader_election

/// `--lock`: which backend is picked, the other backend's options refused, and what the etcd backend
/// makes of its settings and shows in `status`.
@Suite struct LockBackendTests {
    // MARK: Selection

    @Test func theGistLockIsTheDefaultAndTheFlagWinsOverTheEnvironment() throws {
        #expect(try LockSettings(LockOptions.parse([]), environment: [:]).backend == "gist")
        #expect(try LockSettings(LockOptions.parse([]), environment: ["LEADER_ELECTION_LOCK": "etcd"]).backend == "etcd")
        let flag = try LockOptions.parse(["--lock", "gist"])
        #expect(try LockSettings(flag, environment: ["LEADER_ELECTION_LOCK": "etcd"]).backend == "gist")
    }

    @Test func eachLockOpensItsOwnStore() throws {
        let environment = ["LEADER_ELECTION_ETCD_ENDPOINTS": "http://127.0.0.1:2379"]
        let etcd = try LockOptions.parse(["--lock", "etcd", "--election", "e1", "--request-timeout", "1500ms"])
        let store = try etcd.store(try LockSettings(etcd, environment: environment), environment: environment)
        let etcdStore = try #require(store as? EtcdStore)
        #expect(etcdStore.settings.election == "e1")
        #expect(etcdStore.settings.configuration.requestTimeout == .milliseconds(1500))
        let gist = try LockOptions.parse(["--gist", "abc"])
        let gistStore = try #require(try gist.store(try LockSettings(gist, environment: [:]), environment: [:]) as? GistStore)
        #expect(gistStore.settings.gistID == "abc")
    }

    @Test func anUnknownLockIsRefused() throws {
        #expect {
            _ = try LockOptions.parse(["--lock", "zookeeper"])
        } throws: { error in
            LockOptions.message(for: error) == "unknown lock in --lock zookeeper: give gist or etcd"
                && LockOptions.exitCode(for: error) == ExitCode(64)
        }
        #expect {
            _ = try LockSettings(LockOptions.parse([]), environment: ["LEADER_ELECTION_LOCK": "consul"])
        } throws: { error in
            "\(error)" == "unknown lock in LEADER_ELECTION_LOCK=\"consul\": give gist or etcd"
        }
    }

    // MARK: Refusal

    @Test(arguments: [
        (
            ["--lock", "etcd", "--gist", "abc"],
            "--gist is an option of the gist lock, but the lock is etcd: drop --gist, or pick that lock with --lock gist"
        ),
        (["--lock", "etcd", "--write-mode", "git"], "--write-mode is an option of the gist lock"),
        (["--lock", "etcd", "--allow-plain-http"], "--allow-plain-http is an option of the gist lock"),
        (
            ["--etcd-endpoints", "http://127.0.0.1:2379"],
            "--etcd-endpoints is an option of the etcd lock, but the lock is gist: drop --etcd-endpoints, or pick that lock with --lock etcd"
        ),
        (["--lock", "gist", "--etcd-password-file", "/p"], "--etcd-password-file is an option of the etcd lock"),
    ])
    func aFlagOfTheOtherLockIsAUsageError(arguments: [String], message: String) throws {
        for command in [RunCommand.self, StatusCommand.self, InitCommand.self] as [any ParsableCommand.Type] {
            #expect(Self.usageError(command, arguments)?.contains(message) == true, "\(command)")
        }
    }

    /// The message of the usage error (exit 64) `command` stops `arguments` with; nil when it takes them.
    static func usageError(_ command: any ParsableCommand.Type, _ arguments: [String]) -> String? {
        do {
            _ = try command.parseAsRoot(arguments)
            return nil
        } catch {
            return command.exitCode(for: error) == ExitCode(64)
                ? command.message(for: error) : "exit \(command.exitCode(for: error))"
        }
    }

    @Test(arguments: [
        (
            "etcd", "LEADER_ELECTION_GITHUB_API_TOKEN",
            "LEADER_ELECTION_GITHUB_API_TOKEN is an option of the gist lock, but the lock is etcd: unset LEADER_ELECTION_GITHUB_API_TOKEN, or pick that lock with --lock gist"
        ),
        ("etcd", "LEADER_ELECTION_GIST_ID", "unset LEADER_ELECTION_GIST_ID"),
        (
            "gist", "LEADER_ELECTION_ETCD_PASSWORD",
            "LEADER_ELECTION_ETCD_PASSWORD is an option of the etcd lock, but the lock is gist"
        ),
        ("gist", "LEADER_ELECTION_ETCD_ENDPOINTS", "unset LEADER_ELECTION_ETCD_ENDPOINTS"),
    ])
    func aVariableOfTheOtherLockIsRefusedWithoutItsValue(lock: String, variable: String, message: String) throws {
        let options = try LockOptions.parse(["--lock", lock])
        let environment = [variable: "s3cret-value"]
        #expect {
            try options.refuseOthers(environment: environment)
        } throws: { error in
            let text = LockOptions.message(for: error)
            return text.contains(message) && !text.contains("s3cret")
        }
        #expect(throws: AppError.self) { _ = try LockSettings(options, environment: environment) }
    }

    // MARK: Each subcommand's own options

    /// `run`'s gist options (the request-rate check, the takeover settle) are not `status`'s or `init`'s:
    /// absent from their help, an unknown option there, and refused in `run` with another lock.
    @Test func runsOwnGistOptionsBelongToRunAlone() throws {
        let runOnly = ["--candidates", "--elections", "--check-limits", "--takeover-settle"]
        for command in [StatusCommand.self, InitCommand.self] as [any ParsableCommand.Type] {
            let help = command.helpMessage(columns: 200)
            #expect(help.contains("--gist <gist>"))
            for flag in runOnly {
                #expect(!help.contains(flag), "\(command.configuration.commandName ?? "") --help lists \(flag)")
            }
            #expect(Self.usageError(command, ["--lock", "gist", "--candidates", "3"])?.contains("--candidates") == true)
        }
        let runGist = try #require(Self.section("GIST LOCK:", of: RunCommand.self))
        for flag in runOnly { #expect(runGist.contains(flag)) }
        #expect(
            Self.usageError(RunCommand.self, ["--lock", "etcd", "--check-limits", "off"])
                == "--check-limits is an option of the gist lock, but the lock is etcd: drop --check-limits, or pick that lock with --lock gist"
        )
    }

    /// The block of `command --help` under `heading`, up to the blank line that ends it.
    static func section(_ heading: String, of command: any ParsableCommand.Type) -> String? {
        command.helpMessage(columns: 200).components(separatedBy: "\n\n").first { $0.hasPrefix(heading) }
    }

    /// `init --description` names the new gist: the gist lock's option of `init`, refused with etcd.
    @Test func initsDescriptionIsTheGistLocks() throws {
        #expect(try #require(Self.section("GIST LOCK:", of: InitCommand.self)).contains("--description"))
        #expect(try #require(Self.section("OPTIONS:", of: InitCommand.self)).contains("--description") == false)
        #expect(
            Self.usageError(InitCommand.self, ["--lock", "etcd", "--description", "mine"])
                == "--description is an option of the gist lock, but the lock is etcd: drop --description, or pick that lock with --lock gist"
        )
        #expect(Self.usageError(InitCommand.self, ["--lock", "gist", "--description", "mine"]) == nil)
    }

    /// `init` creates a new gist: an existing gist's id or a write mode given to it is refused, not ignored;
    /// their variables (a shell's or a pod's, for `run`) are left alone.
    @Test func initRefusesTheGistOptionsItWouldIgnore() throws {
        for lock in [["--lock", "gist"], []] {
            #expect(
                Self.usageError(InitCommand.self, lock + ["--gist", "abc123"])
                    == "--gist names an existing gist, but init creates a new one and prints its id: drop --gist (run and status take it)"
            )
            #expect(
                Self.usageError(InitCommand.self, lock + ["--write-mode", "git"])
                    == "--write-mode says how run writes the lock, but init creates the gist through the REST API: drop --write-mode"
            )
        }
        #expect(Self.usageError(InitCommand.self, ["--github-api-url", "http://127.0.0.1:1", "--token-file", "/t"]) == nil)
        #expect(Self.usageError(StatusCommand.self, ["--gist", "abc123", "--write-mode", "git"]) == nil)
    }

    @Test func theSameLocksOwnOptionsAndTheSharedOnesAreTaken() throws {
        let environment = ["LEADER_ELECTION_ELECTION": "e", "LEADER_ELECTION_ETCD_PREFIX": "/p", "LEADER_ELECTION_ID": "a"]
        let options = try LockOptions.parse([
            "--lock", "etcd", "--etcd-endpoints", "http://127.0.0.1:1", "--request-timeout", "1s",
        ])
        try options.refuseOthers(environment: environment)
        #expect(try LockSettings(options, environment: environment).election == "e")
    }

    // MARK: etcd settings

    @Test func etcdSettingsComeFromFlagsThenEnvironmentThenDefaults() throws {
        let environment = [
            "LEADER_ELECTION_ETCD_ENDPOINTS": "http://10.0.0.1:2379", "LEADER_ELECTION_ETCD_PREFIX": "/from-env",
            "LEADER_ELECTION_ETCD_USERNAME": "elector", "LEADER_ELECTION_ETCD_PASSWORD": "pw-from-env",
        ]
        let lock = LockSettings(backend: "etcd", election: "e", requestTimeout: .seconds(2))
        let flags = try EtcdOptions.parse(["--etcd-endpoints", "http://127.0.0.1:2379, http://127.0.0.2:2379,"])
        let settings = try EtcdSettings(flags, lock: lock, environment: environment)
        #expect(settings.configuration.endpoints.map(\.absoluteString) == ["http://127.0.0.1:2379", "http://127.0.0.2:2379"])
        #expect(settings.configuration.prefix == "/from-env")
        #expect(settings.configuration.key(election: "e") == "/from-env/e")
        #expect(settings.configuration.requestTimeout == .seconds(2))
        #expect(settings.configuration.credentials?.username == "elector")
        #expect(settings.configuration.credentials?.password == "pw-from-env")
        #expect(settings.configuration.tls == nil)
        #expect(!"\(settings)".contains("pw-from-env"))
        let byDefault = try EtcdSettings(
            EtcdOptions.parse([]), lock: lock, environment: ["LEADER_ELECTION_ETCD_ENDPOINTS": "https://etcd:2379"])
        #expect(byDefault.configuration.prefix == "/leader-election")
        #expect(byDefault.configuration.credentials == nil)
    }

    @Test func thePasswordFileWinsAndLosesItsNewline() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-password-\(UUID().uuidString)")
        try "from file \n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let settings = try EtcdSettings(
            EtcdOptions.parse([
                "--etcd-endpoints", "http://127.0.0.1:2379", "--etcd-username", "u", "--etcd-password-file", file.path,
            ]),
            lock: LockSettings(backend: "etcd"), environment: ["LEADER_ELECTION_ETCD_PASSWORD": "from-env"])
        #expect(settings.configuration.credentials?.password == "from file ")
    }

    @Test(arguments: [
        ([], [String: String](), "no etcd endpoint given: pass --etcd-endpoints"),
        (["--etcd-endpoints", "127.0.0.1:2379"], [:], "is not an http:// or https:// URL"),
        (["--etcd-endpoints", "http://root:hunter2@127.0.0.1:2379"], [:], "carries a user or password in its URL"),
        (["--etcd-endpoints", "http://127.0.0.1:2379", "--etcd-prefix", "no-slash"], [:], "invalid etcd prefix"),
        (
            ["--etcd-endpoints", "http://127.0.0.1:2379", "--etcd-username", "u"], [:],
            "an etcd user was given without a password"
        ),
        (
            ["--etcd-endpoints", "http://127.0.0.1:2379"], ["LEADER_ELECTION_ETCD_PASSWORD": "hunter2"],
            "an etcd password was given without a user"
        ),
        (
            ["--etcd-endpoints", "http://127.0.0.1:2379", "--etcd-username", "u", "--etcd-password-file", "/nonexistent/p"], [:],
            "cannot read the etcd password file /nonexistent/p"
        ),
        (["--etcd-endpoints", "http://127.0.0.1:2379", "--etcd-ca-file", "/nonexistent/ca.pem"], [:], "no endpoint is https://"),
        (["--etcd-endpoints", "https://127.0.0.1:2379", "--etcd-cert-file", "/c.pem"], [:], "without its key"),
    ])
    func badEtcdSettingsNameTheProblemAndNeverThePassword(arguments: [String], environment: [String: String], message: String)
        throws
    {
        let settings = LockSettings(backend: "etcd", election: "e")
        #expect {
            let etcd = try EtcdSettings(EtcdOptions.parse(arguments), lock: settings, environment: environment)
            _ = try etcd.lock(identity: "a", logger: .init(label: "test"))
        } throws: { error in
            error is AppError && "\(error)".contains(message) && !"\(error)".contains("hunter2")
        }
    }

    // MARK: status

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func record(holder: String, renewedAgo: TimeInterval) -> ObservedRecord {
        let record = LeaderElectionRecord(
            holderIdentity: holder, leaseDurationSeconds: 4, acquireTime: now.addingTimeInterval(-60),
            renewTime: now.addingTimeInterval(-renewedAgo), leaderTransitions: 7)
        return ObservedRecord(record: record, raw: record.jsonBytes())
    }

    @Test func etcdStatusShowsTheKeyTheMembersAndWhoAnswered() throws {
        let endpoints = [URL(string: "http://127.0.0.1:2379")!, URL(string: "http://127.0.0.2:2379")!]
        let status = EtcdStore.status(
            key: "/leader-election/e", endpoints: endpoints, member: endpoints[1],
            observed: Self.record(holder: "napoleon", renewedAgo: 1), writes: "permitted")
        let report = LockReport(backend: "etcd", status: status, now: Self.now)
        #expect(
            report.text() == """
                lock:     etcd key /leader-election/e
                holder:   napoleon
                term:     7 (leaderTransitions)
                acquired: 2027-01-15T07:59:00Z
                renewed:  2027-01-15T07:59:59Z (1.0s ago)
                lease:    4s, looks valid
                endpoints: http://127.0.0.1:2379,http://127.0.0.2:2379
                member:   http://127.0.0.2:2379 (answered the read)
                writes:   permitted (checked without writing)

                """)
        let json = try #require(JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(json["lock"] as? String == "etcd")
        #expect(json["key"] as? String == "/leader-election/e")
        #expect(json["endpoints"] as? String == "http://127.0.0.1:2379,http://127.0.0.2:2379")
        #expect(json["member"] as? String == "http://127.0.0.2:2379")
        #expect(json["writes"] as? String == "permitted")
        #expect(json["holderIdentity"] as? String == "napoleon")
        #expect(json["leaderTransitions"] as? Int == 7)
        #expect(json["looksExpired"] as? Bool == false)
    }

    @Test func etcdStatusOfAMissingKeyAndAHostileHolder() throws {
        let endpoints = [URL(string: "http://127.0.0.1:2379")!]
        let missing = LockReport(
            backend: "etcd",
            status: EtcdStore.status(
                key: "/p/e", endpoints: endpoints, member: endpoints[0], observed: nil, writes: "permitted"),
            now: Self.now)
        #expect(missing.text().hasPrefix("lock:     etcd key /p/e\nholder:   none (the key does not exist yet)\nendpoints: "))
        let hostile = LockReport(
            backend: "etcd",
            status: EtcdStore.status(
                key: "/p/e", endpoints: endpoints, member: nil,
                observed: Self.record(holder: "evil\nholder:   forged\u{1b}[2J", renewedAgo: 10), writes: "refused (denied)"),
            now: Self.now)
        #expect(hostile.text().contains("holder:   evil\\nholder:   forged\\u001b[2J\n"))
        #expect(hostile.text().contains("lease:    4s, looks expired"))
        #expect(hostile.text().contains("member:   none"))
        #expect(hostile.text().hasSuffix("writes:   refused (denied)\n"))
    }

    /// The gist lock's lines stay as they were before the seam.
    @Test func gistStatusKeepsItsLinesAndFields() throws {
        let status = GistStore.status(
            gistID: "abc123", election: "e", observed: Self.record(holder: "stalin", renewedAgo: 2), writeMode: "git")
        let report = LockReport(backend: "gist", status: status, now: Self.now)
        let lines = report.text().split(separator: "\n")
        #expect(lines.first == "lock:     e.lock in gist abc123")
        #expect(lines.last == "writes:   git (pushes to the gist's repository)")
        let json = try #require(JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(json["gist"] as? String == "abc123")
        #expect(json["file"] as? String == "e.lock")
        #expect(json["writeMode"] as? String == "git")
        #expect(json["lock"] as? String == "gist")
        let missing = LockReport(
            backend: "gist", status: GistStore.status(gistID: "abc123", election: "e", observed: nil, writeMode: "rest"),
            now: Self.now)
        #expect(
            missing.text()
                == "lock:     e.lock in gist abc123\nholder:   none (the lock file does not exist yet)\nwrites:   rest\n")
    }

    // MARK: defaults and the endpoint

    @Test func defaultsNameTheLockAndEachBackendsOwn() throws {
        let values = try DefaultsCommand.values()
        #expect(values["lock"] as? String == "gist")
        #expect(values["etcdPrefix"] as? String == "/leader-election")
        #expect(values["writeMode"] as? String == "auto")
        #expect(values["budget.git"] != nil)
    }

    @Test func theEtcdGaugeNamesTheMemberThatAnswered() throws {
        let metrics = AppMetrics()
        let endpoints = [URL(string: "http://127.0.0.1:2379")!, URL(string: "http://127.0.0.2:2379")!]
        let etcd = EtcdMetrics(registry: metrics.registry)
        etcd.refresh(endpoints: endpoints, answering: endpoints[1])
        let text = metrics.registry.emitToString()
        #expect(text.contains(#"leader_election_etcd_member_answering{member="http://127.0.0.1:2379"} 0"#))
        #expect(text.contains(#"leader_election_etcd_member_answering{member="http://127.0.0.2:2379"} 1"#))
        etcd.refresh(endpoints: endpoints, answering: nil)
        #expect(!metrics.registry.emitToString().contains("} 1"))
    }

    @Test func theBackendsFactsAreFieldsBesideTheReport() throws {
        struct Report: Encodable { var leader = "napoleon" }
        let data = try JSONEncoder.app.encode(WithFacts(Report(), facts: ["writeMode": "git", "etcdKey": "/k"]))
        let json = try #require(JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(json == ["leader": "napoleon", "writeMode": "git", "etcdKey": "/k"])
    }
}
