/// A point in time on the driver's clock, in nanoseconds from an arbitrary origin.
///
/// The core never reads a clock: every event carries the `Instant` at which it
/// happened, and the driver decides what the origin is (process start for the
/// live engine, zero for a simulation).
///
/// ```swift
/// let start = Instant.zero
/// let later = start + .milliseconds(250)
/// later - start // 0.25 seconds
/// ```
public struct Instant: Hashable, Comparable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// Nanoseconds since the driver's origin.
    public var nanoseconds: Int64

    /// Creates an instant `nanoseconds` after the driver's origin.
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// The driver's origin.
    public static let zero = Instant(nanoseconds: 0)

    /// The instant `seconds` after the origin, to the nearest nanosecond
    /// (saturating beyond about ±292 years; NaN is the origin).
    public static func seconds(_ seconds: Double) -> Instant {
        let nanoseconds = seconds * 1e9
        if nanoseconds >= 9.2e18 { return Instant(nanoseconds: .max) }
        if nanoseconds <= -9.2e18 { return Instant(nanoseconds: .min) }
        guard nanoseconds == nanoseconds else { return .zero }
        return Instant(nanoseconds: Int64(nanoseconds + (nanoseconds < 0 ? -0.5 : 0.5)))
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// The instant `duration` later (earlier for a negative duration); saturates instead of overflowing.
    public static func + (lhs: Instant, rhs: Duration) -> Instant {
        Instant(nanoseconds: lhs.nanoseconds.addingSaturating(rhs.nanoseconds))
    }

    /// The time from `rhs` to `lhs`.
    public static func - (lhs: Instant, rhs: Instant) -> Duration {
        .nanoseconds(lhs.nanoseconds.addingSaturating(-rhs.nanoseconds))
    }

    /// Seconds after the origin, with millisecond precision, e.g. `12.345s`.
    public var description: String {
        let millis = nanoseconds / 1_000_000
        let sign = millis < 0 ? "-" : ""
        let magnitude = millis.magnitude
        let fraction = String(magnitude % 1000)
        return "\(sign)\(magnitude / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at the bounds of `Int64`.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled.addingSaturating(attoseconds / 1_000_000_000)
    }
}

extension Int64 {
    /// `self + other`, clamped to the bounds of `Int64`.
    @inlinable
    package func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { return other < 0 ? .min : .max }
        return sum
    }
}
