/// Exact arithmetic of a bucket that refills continuously at `limit` units per
/// `length` nanoseconds: what it owes is kept as whole units plus the next
/// unit's progress (in units of limit × nanoseconds, below one `length`), so
/// what is owed at an instant, and when it falls to a level, do not depend on
/// when the bucket was last brought up to date. Shared by a deployment's
/// refilling minute (`CapacityLedger+Refill.swift`) and a tenant's limits
/// (``TenantLimits``).
///
/// Products are taken in 64 bits when they fit, as they do between the events of a
/// busy scheduler, and in 128 bits when they do not (a long idle spell, a huge
/// quota): the answer is the same, and the common case costs a hardware division.
enum BucketArithmetic {
    /// What is owed, and the next unit's progress, after `elapsed` nanoseconds refilling at `limit` per `length`.
    static func owed(_ owed: Int, progress: Int64, after elapsed: Int64, limit: Int, length: Int64) -> (owed: Int, progress: Int64) {
        guard owed > 0 else { return (0, 0) }
        let elapsed = max(0, elapsed)
        let (product, overflow) = elapsed.multipliedReportingOverflow(by: Int64(limit))
        let (total, carry) = product.addingReportingOverflow(progress)
        if !overflow && !carry {
            let whole = total / length
            guard whole < owed else { return (0, 0) }
            return (owed - Int(whole), total % length)
        }
        let wide = Int128(progress) + Int128(elapsed) * Int128(limit)
        let whole = wide / Int128(length)
        guard whole < Int128(owed) else { return (0, 0) }
        return (owed - Int(whole), Int64(wide % Int128(length)))
    }

    /// Whole units that refill in `elapsed` nanoseconds at `limit` per `length`, rounded down.
    static func units(refillingIn elapsed: Int64, limit: Int, length: Int64) -> Int {
        let elapsed = max(0, elapsed)
        let (product, overflow) = elapsed.multipliedReportingOverflow(by: Int64(limit))
        if !overflow { return Int(product / length) }
        return Int(clamping: Int128(elapsed) * Int128(limit) / Int128(length))
    }

    /// The first instant at which `owed` (with `progress` towards the next unit), as of `since`,
    /// has fallen to `target`: `since`, if it has; `.max` if it never can.
    static func instant(owed: Int, progress: Int64, fallsTo target: Int, since: Int64, limit: Int, length: Int64) -> Int64 {
        guard owed > max(0, target) else { return since }
        guard target >= 0 else { return .max }
        let (product, overflow) = Int64(owed - target).multipliedReportingOverflow(by: length)
        let wait: Int64
        if !overflow {
            // Rounded up: the refill has surely happened by then.
            let needed = product - progress
            wait = needed / Int64(limit) + (needed % Int64(limit) == 0 ? 0 : 1)
        } else {
            let needed = Int128(owed - target) * Int128(length) - Int128(progress)
            let wide = (needed + Int128(limit) - 1) / Int128(limit)
            guard wide < Int128(Int64.max / 2) else { return .max }
            wait = Int64(wide)
        }
        return wait >= Int64.max / 2 ? .max : since.addingSaturating(wait)
    }
}
