import Foundation
import GistLock
@testable import GitSmartHTTP
import InMemoryLogging
import LeaderElection
import LeaderElectionTestKit
import Logging
import Testing

/// A copy that loses the race to create the lock, for real: its push builds on the commit it read,
/// which another copy's push has moved on, so git refuses it. That is the election working, and the
/// elector says so at info, with no warning or error line.
@Suite(.timeLimit(.minutes(1))) struct LostCreateRaceTests {
    /// Lets `rival` create the lock between this copy's read and its own create.
    actor RivalFirst: ResourceLock {
        let inner: GistLock
        let rival: GistLock
        /// What the inner lock's create threw.
        private(set) var createError: String?
        nonisolated var identity: String { inner.identity }
        nonisolated var describe: String { inner.describe }

        init(inner: GistLock, rival: GistLock) {
            self.inner = inner
            self.rival = rival
        }

        func get() async throws -> ObservedRecord? { try await inner.get() }

        func create(_ record: LeaderElectionRecord) async throws {
            var theirs = record
            theirs.holderIdentity = rival.identity
            try await rival.create(theirs)
            do {
                try await inner.create(record)
            } catch {
                createError = "\(error)"
                throw error
            }
        }

        func update(_ record: LeaderElectionRecord, expecting observedRaw: [UInt8]) async throws {
            try await inner.update(record, expecting: observedRaw)
        }

        func recordEvent(_ message: String) async { await inner.recordEvent(message) }
    }

    @Test func losingTheCreateRaceByARefusedPushIsAnInfoLine() async throws {
        let suite = GitGistLockTests()
        try await suite.withGitServer { apiURL in
            let fixture = try await suite.newGist(apiURL)
            let lock = RivalFirst(
                inner: try fixture.gitLock(identity: "napoleon"), rival: try fixture.gitLock(identity: "stalin"))
            let (logger, logs) = capturingLogger()
            // A clock nobody moves: the elector's first attempt ends when it sleeps for its retry period.
            let clock = ManualClock()
            let elector = LeaderElector(
                config: try LeaderElectionConfig(name: "conformance"), lock: lock,
                callbacks: LeaderCallbacks(onStartedLeading: { _ in }, onStoppedLeading: {}), clock: clock,
                logger: logger)
            let run = Task { try await elector.run() }
            await clock.waitForSleepers(atLeast: 1)
            run.cancel()
            try await run.value
            let seen = logs.entries.filter { $0.level > .debug }.map { (level: $0.level, message: "\($0.message)") }

            let refusal = await lock.createError ?? "none"
            #expect(refusal.contains("push to gist \(fixture.gistID) refused"), "git refused the push: \(refusal)")
            #expect(seen.last?.message == "lease lock \(lock.describe) was created by another copy first; following it")
            #expect(seen.last?.level == .info)
            #expect(seen.filter { $0.level >= .warning }.map(\.message) == [])
            #expect(try await fixture.gitLock(identity: "observer").get()?.record.holderIdentity == "stalin")
        }
    }
}
