import HeadroomCore

extension Int64 {
    /// This instant in nanoseconds plus `seconds`, truncated to whole
    /// nanoseconds and saturating at the bounds of `Int64` rather than
    /// overflowing (NaN adds nothing): configured latencies and gaps are
    /// doubles, and an extreme one must not stop the simulation.
    func adding(seconds: Double) -> Int64 {
        let nanoseconds = seconds * 1e9
        guard nanoseconds.magnitude < 9.2e18 else { return nanoseconds > 0 ? .max : nanoseconds < 0 ? .min : self }
        return addingSaturating(Int64(nanoseconds))
    }
}
