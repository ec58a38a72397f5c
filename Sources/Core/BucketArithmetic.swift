/// Exact arithmetic of a bucket that refills continuously at `limit` units per
/// `length` nanoseconds: what it owes is kept as whole units plus the next
/// unit's progress (in units of limit × nanoseconds, below one `length`), so
/// what is owed at an instant, and when it falls to a level, do not depend on
/// when the bucket was last brought up to date. Shared by a deployment's
/// refilling minute (`CapacityLedger+Refill.swift`) and a tenant's limits
/// (``TenantLimits``).
enum BucketArithmetic {
    /// What is owed, and the next unit's progress, after `elapsed` nanoseconds refilling at `limit` per `length`.
    static func owed(_ owed: Int, progress: Int64, after elapsed: Int64, limit: Int, length: Int64) -> (owed: Int, progress: Int64) {
        guard owed > 0 else { return (0, 0) }
        let total = Int128(progress) + Int128(max(0, elapsed)) * Int128(limit)
        let whole = total / Int128(length)
        guard whole < Int128(owed) else { return (0, 0) }
        return (owed - Int(whole), Int64(total % Int128(length)))
    }

    /// The first instant at which `owed` (with `progress` towards the next unit), as of `since`,
    /// has fallen to `target`: `since`, if it has; `.max` if it never can.
    static func instant(owed: Int, progress: Int64, fallsTo target: Int, since: Int64, limit: Int, length: Int64) -> Int64 {
        guard owed > max(0, target) else { return since }
        guard target >= 0 else { return .max }
        let needed = Int128(owed - target) * Int128(length) - Int128(progress)
        let wait = (needed + Int128(limit) - 1) / Int128(limit)
        return wait >= Int128(Int64.max / 2) ? .max : since.addingSaturating(Int64(wait))
    }
}
