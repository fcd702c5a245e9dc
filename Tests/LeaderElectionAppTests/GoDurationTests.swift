import Testing

@testable import leader_election

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("30s", Duration.seconds(30)), ("1m30s", .seconds(90)), ("500ms", .milliseconds(500)),
        ("1.5s", .milliseconds(1500)), ("2h", .seconds(7200)), ("0", .zero), ("250us", .microseconds(250)),
        ("1h2m3s", .seconds(3723)),
    ])
    func parsesGoDurations(text: String, expected: Duration) {
        #expect(GoDuration.parse(text) == expected)
    }

    @Test(arguments: ["", "30", "s", "thirty", "1x", "1.2.3s", "5 s", "1e20s", "-", ".s", "--5s"])
    func rejectsWhatGoRejects(text: String) {
        #expect(GoDuration.read(text) == .malformed)
    }

    /// Go's ParseDuration takes a sign; the app refuses negative timings with its own message.
    @Test(arguments: [("-5s", Duration.seconds(-5)), ("+1.5s", .milliseconds(1500)), ("-0", .zero)])
    func acceptsASignAsGoDoes(text: String, expected: Duration) {
        #expect(GoDuration.parse(text) == expected)
    }

    /// Go keeps durations in int64 nanoseconds: about 2562047h. Beyond that is out of range, not a crash.
    @Test(arguments: ["3000000h", "2562048h", "9223372036854775808ns", "100000000000000000000s"])
    func beyondGosRangeIsOutOfRange(text: String) throws {
        #expect(GoDuration.read(text) == .outOfRange)
        let flag = try #require(GoDuration(argument: text))
        #expect(throws: (any Error).self) { try flag.checked("--lease-duration") }
        #expect(GoDuration.read("2562047h") == .duration(.seconds(2_562_047 * 3600)))
    }

    @Test(arguments: [
        (Duration.seconds(30), "30s"), (.seconds(90), "1m30s"), (.milliseconds(500), "500ms"),
        (.milliseconds(1500), "1.5s"), (.seconds(3723), "1h2m3s"), (.zero, "0s"),
    ])
    func formatsAsGoDoes(duration: Duration, expected: String) {
        #expect(GoDuration.format(duration) == expected)
    }
}
