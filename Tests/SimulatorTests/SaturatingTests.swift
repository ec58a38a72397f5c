import Testing
@testable import HeadroomSimulator

@Suite("Saturating conversions")
struct SaturatingTests {
    @Test("Seconds added to an instant truncate to nanoseconds and clamp at the ends of time", arguments: [
        (Int64(5), 1.5, Int64(1_500_000_005)), (0, 1e-10, 0), (100, -2e-7, -100), (7, .nan, 7),
        (1, 1e300, .max), (1, -1e300, .min), (.max - 10, 1, .max), (0, .infinity, .max),
    ])
    func addingSeconds(_ start: Int64, _ seconds: Double, _ expected: Int64) {
        #expect(start.adding(seconds: seconds) == expected)
    }

    @Test("Doubles become whole numbers, clamped at the bounds and NaN as 0", arguments: [
        (2.9, 2), (-2.9, -2), (1e300, .max), (-.infinity, .min), (.nan, 0), (9e18, 9_000_000_000_000_000_000),
    ])
    func wholeNumbers(_ value: Double, _ expected: Int) {
        #expect(Int(saturating: value) == expected)
    }
}
