/// The identity the scheduler gives a job when it is submitted.
///
/// Identifiers are never reused while a scheduler lives: an event that names a
/// job which has already ended (a late completion after a cancellation, say) is
/// recognised as stale and ignored, never applied to another job.
public struct JobID: Hashable, Comparable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// The identifier as one number: the slot in the low 32 bits, its generation in the high 32.
    public var rawValue: UInt64

    /// Recreates an identifier from its raw value.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    init(slot: Int, generation: UInt32) {
        rawValue = UInt64(generation) << 32 | UInt64(UInt32(truncatingIfNeeded: slot))
    }

    /// The slot in the scheduler's job table (the low 32 bits): small and
    /// reused, so drivers may index their own tables by it.
    @inlinable package var slot: Int { Int(truncatingIfNeeded: rawValue & 0xFFFF_FFFF) }
    var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }

    public static func < (lhs: JobID, rhs: JobID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "job \(number)" }

    /// The slot and generation, for sentences that say "Job" themselves.
    package var number: String { "\(slot).\(generation)" }
}
