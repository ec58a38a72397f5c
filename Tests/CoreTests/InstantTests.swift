import Testing
@testable import HeadroomCore

@Suite("Instant")
struct InstantTests {
    static let conversions: [(seconds: Double, nanoseconds: Int64)] = [
        (0.3, 300_000_000),
        (1.2, 1_200_000_000),
        (-0.3, -300_000_000),
        (1e-10, 0),
        (6e-10, 1),
        (1e12, .max),
        (-1e12, .min),
        (.nan, 0),
    ]

    @Test("Seconds convert to the nearest nanosecond, saturating at the ends", arguments: conversions)
    func secondsToNanoseconds(conversion: (seconds: Double, nanoseconds: Int64)) {
        #expect(Instant.seconds(conversion.seconds).nanoseconds == conversion.nanoseconds)
    }

    @Test("Instants print as seconds with milliseconds")
    func description() {
        #expect(Instant(nanoseconds: 1_234_567_890).description == "1.234s")
        #expect(Instant(nanoseconds: -1_500_000_000).description == "-1.500s")
    }
}
