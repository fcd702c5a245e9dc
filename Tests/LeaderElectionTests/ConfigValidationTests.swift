import LeaderElection
import Testing

@Suite struct ConfigValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var election = "e"
        var lease: Duration = .seconds(30)
        var renew: Duration = .seconds(15)
        var retry: Duration = .seconds(5)
        var interval: Duration?
        /// nil when the configuration is valid.
        var error: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "defaults of the Go original"),
        Case(name: "demo timings", lease: .seconds(4), renew: .seconds(3), retry: .seconds(1)),
        Case(name: "renewDeadline just above 1.2 x retryPeriod", renew: .milliseconds(6001)),
        Case(
            name: "lease not longer than renew deadline", lease: .seconds(10),
            error: "leaseDuration (10s) must be greater than renewDeadline (15s): raise leaseDuration or lower renewDeadline"),
        Case(
            name: "lease equal to renew deadline", lease: .seconds(15),
            error: "leaseDuration (15s) must be greater than renewDeadline (15s): raise leaseDuration or lower renewDeadline"),
        Case(
            name: "renew deadline equal to 1.2 x retry", renew: .seconds(6),
            error:
                "renewDeadline (6s) must be greater than 1.2 x retryPeriod (1.2 x 5s = 6s): raise renewDeadline or lower retryPeriod"
        ),
        Case(
            name: "renew deadline below 1.2 x retry", renew: .seconds(2), retry: .seconds(2),
            error:
                "renewDeadline (2s) must be greater than 1.2 x retryPeriod (1.2 x 2s = 2.4s): raise renewDeadline or lower retryPeriod"
        ),
        Case(
            name: "zero lease", lease: .zero,
            error: "leaseDuration (0s) must be greater than zero: give a positive duration"),
        Case(
            name: "negative renew deadline", renew: .seconds(-1),
            error: "renewDeadline (-1s) must be greater than zero: give a positive duration"),
        Case(
            name: "zero retry period", retry: .zero,
            error: "retryPeriod (0s) must be greater than zero: give a positive duration"),
        Case(name: "renew interval of a third of the lease", interval: .seconds(10)),
        Case(name: "renew interval just under the renew deadline", interval: .milliseconds(14999)),
        Case(
            name: "renew interval equal to the renew deadline", interval: .seconds(15),
            error: "renewInterval (15s) must be shorter than renewDeadline (15s), or the leader gives up before it "
                + "renews: lower renewInterval or raise renewDeadline"),
        Case(
            name: "renew interval above the renew deadline", interval: .seconds(20),
            error: "renewInterval (20s) must be shorter than renewDeadline (15s), or the leader gives up before it "
                + "renews: lower renewInterval or raise renewDeadline"),
        Case(
            name: "zero renew interval", interval: .zero,
            error: "renewInterval (0s) must be greater than zero: give a positive duration"),
        Case(
            name: "negative renew interval", interval: .milliseconds(-500),
            error: "renewInterval (-0.5s) must be greater than zero: give a positive duration"),
        Case(
            name: "empty name", election: "",
            error: "election name must not be empty: give a name such as multi-cluster-leader-election"),
    ]

    @Test(arguments: cases)
    func validatesAsClientGo(_ test: Case) {
        do {
            let config = try LeaderElectionConfig(
                name: test.election, leaseDuration: test.lease, renewDeadline: test.renew, retryPeriod: test.retry,
                renewInterval: test.interval)
            #expect(test.error == nil, "accepted \(config)")
        } catch {
            #expect(error.description == test.error)
        }
    }

    @Test func defaultsAreTheOneDefinition() throws {
        let config = try LeaderElectionConfig()
        #expect(config.name == ElectionDefaults.name)
        #expect(config.leaseDuration == ElectionDefaults.leaseDuration)
        #expect(config.renewDeadline == ElectionDefaults.renewDeadline)
        #expect(config.retryPeriod == ElectionDefaults.retryPeriod)
        #expect(config.renewInterval == ElectionDefaults.renewInterval)
        #expect(config.releaseOnCancel)
        #expect(config.longestHonouredLease == .seconds(500))
    }

    @Test func errorCodeNamesTheRule() {
        #expect(throws: LeaderElectionConfigError.self) { try LeaderElectionConfig(leaseDuration: .seconds(1)) }
        do {
            _ = try LeaderElectionConfig(leaseDuration: .seconds(1))
        } catch {
            #expect(error.code == .leaseNotLongerThanRenewDeadline)
        }
        do {
            _ = try LeaderElectionConfig(renewInterval: ElectionDefaults.renewDeadline)
            Issue.record("accepted a renewInterval equal to renewDeadline")
        } catch {
            #expect(error.code == .renewIntervalNotShorterThanRenewDeadline)
            #expect(error.code.description == "renewInterval not shorter than renewDeadline")
        }
    }
}
