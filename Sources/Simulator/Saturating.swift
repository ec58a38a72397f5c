import HeadroomCore

// Conversions from doubles that clamp rather than trap: configured seconds and
// summed figures are doubles, and an extreme one must not stop a simulation.

extension Int64 {
    /// This instant in nanoseconds plus `seconds`, truncated to whole
    /// nanoseconds and saturating at the bounds of `Int64` (NaN adds nothing).
    func adding(seconds: Double) -> Int64 {
        let nanoseconds = seconds * 1e9
        guard nanoseconds.magnitude < 9.2e18 else { return nanoseconds > 0 ? .max : nanoseconds < 0 ? .min : self }
        return addingSaturating(Int64(nanoseconds))
    }
}

extension Int {
    /// `value` truncated toward zero, clamped to the bounds of `Int` (NaN is 0).
    init(saturating value: Double) {
        self = value.magnitude < 9.2e18 ? Int(value) : value > 0 ? .max : value < 0 ? .min : 0
    }
}
