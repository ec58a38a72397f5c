/// A binary min-heap of timers keyed by (instant, insertion sequence), so that
/// timers for the same instant fire in the order they were set.
struct TimerHeap: Sendable {
    enum Kind: UInt8, Sendable {
        /// A job's back-off ends: queue it again.
        case retry
        /// A job's deadline or maximum queue wait passes.
        case giveUp
    }

    struct Timer: Sendable {
        var at: Int64
        var sequence: UInt64
        var job: JobID
        var kind: Kind

        func precedes(_ other: Timer) -> Bool {
            at != other.at ? at < other.at : sequence < other.sequence
        }
    }

    private var timers: [Timer] = []
    private var nextSequence: UInt64 = 0

    var earliest: Int64? { timers.first?.at }
    var first: Timer? { timers.first }

    /// Removes the earliest timer.
    mutating func removeFirst() {
        guard let first else { return }
        _ = popDue(now: first.at)
    }

    mutating func schedule(at: Int64, job: JobID, kind: Kind) {
        timers.append(Timer(at: at, sequence: nextSequence, job: job, kind: kind))
        nextSequence += 1
        var child = timers.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard timers[child].precedes(timers[parent]) else { break }
            timers.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest timer if it is due at `now`.
    mutating func popDue(now: Int64) -> Timer? {
        guard let first = timers.first, first.at <= now else { return nil }
        let last = timers.removeLast()
        if !timers.isEmpty {
            timers[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < timers.count && timers[left].precedes(timers[smallest]) { smallest = left }
                if right < timers.count && timers[right].precedes(timers[smallest]) { smallest = right }
                if smallest == parent { break }
                timers.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
