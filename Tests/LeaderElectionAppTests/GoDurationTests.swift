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

    @Test(arguments: ["", "30", "s", "thirty", "1x", "1.2.3s", "-5s", "5 s"])
    func rejectsWhatGoRejects(text: String) {
        #expect(GoDuration.parse(text) == nil)
    }

    @Test(arguments: [
        (Duration.seconds(30), "30s"), (.seconds(90), "1m30s"), (.milliseconds(500), "500ms"),
        (.milliseconds(1500), "1.5s"), (.seconds(3723), "1h2m3s"), (.zero, "0s"),
    ])
    func formatsAsGoDoes(duration: Duration, expected: String) {
        #expect(GoDuration.format(duration) == expected)
    }
}
