/// A binary min-heap of timers keyed by (instant, insertion sequence), so that
/// timers for the same instant fire in the order they were set.
struct TimerHeap: Sendable {
    enum Kind: UInt8, Sendable {
        /// A job's back-off ends: queue it again.
        case retry
        /// A job's deadline or maximum queue wait passes.
        case giveUp
    }

    struct Timer: Comparable, Sendable {
        var at: Int64
        var sequence: UInt64
        var job: JobID
        var kind: Kind

        static func < (lhs: Timer, rhs: Timer) -> Bool {
            lhs.at != rhs.at ? lhs.at < rhs.at : lhs.sequence < rhs.sequence
        }
    }

    private var timers = MinHeap<Timer>()
    private var nextSequence: UInt64 = 0

    var earliest: Int64? { timers.first?.at }
    var first: Timer? { timers.first }

    /// Removes the earliest timer.
    mutating func removeFirst() {
        _ = timers.pop()
    }

    mutating func schedule(at: Int64, job: JobID, kind: Kind) {
        timers.push(Timer(at: at, sequence: nextSequence, job: job, kind: kind))
        nextSequence += 1
    }

    /// Removes and returns the earliest timer if it is due at `now`.
    mutating func popDue(now: Int64) -> Timer? {
        guard let first = timers.first, first.at <= now else { return nil }
        return timers.pop()
    }
}
