/// The simulation's pending events: a binary min-heap keyed by (time,
/// insertion sequence), so events at the same instant happen in the order
/// they were scheduled and every run repeats exactly. The workload's next
/// arrival waits beside the heap: arrivals come in order and the simulation
/// schedules one at a time, so it needs no place in the heap.
struct EventQueue: Sendable {
    enum Kind: UInt8, Sendable {
        case arrival
        case response
        case wake
        case background
        /// A batch deployment's forming file may be due.
        case batchFlush
        /// A batch under way is polled (the reference is its number).
        case batchPoll
    }

    struct Event: Sendable {
        var time: Int64
        var sequence: UInt64
        var kind: Kind
        /// The response's slot, the endpoint's index, or unused.
        var reference: Int

        func precedes(_ other: Event) -> Bool {
            time != other.time ? time < other.time : sequence < other.sequence
        }
    }

    private var heap: [Event] = []
    private var arrival: Event?
    private var nextSequence: UInt64 = 0
    /// Events pushed so far.
    var pushed: UInt64 { nextSequence }

    mutating func push(_ time: Int64, _ kind: Kind, _ reference: Int = 0) {
        let event = Event(time: time, sequence: nextSequence, kind: kind, reference: reference)
        nextSequence += 1
        if kind == .arrival && arrival == nil {
            arrival = event
            return
        }
        heap.append(event)
        heap.withUnsafeMutableBufferPointer { heap in Self.lift(event, from: heap.count - 1, in: heap) }
    }

    mutating func pop() -> Event? {
        if let arrival, heap.first.map(arrival.precedes) ?? true {
            self.arrival = nil
            return arrival
        }
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap.withUnsafeMutableBufferPointer { heap in
            // Walk the hole at the root down to a leaf along the earlier children,
            // then lift the last event from there to its place: fewer comparisons
            // than sifting it down, as it usually belongs near the bottom.
            let count = heap.count
            var hole = 0
            // Wrapping arithmetic: positions stay below the count, so they cannot overflow,
            // and checking that they do not would cost a branch or two at every level.
            while true {
                let left = 2 &* hole &+ 1
                guard left < count else { break }
                // Which child is earlier is a coin toss to the processor: choose by
                // arithmetic, not by a branch. (A lone left child is compared with itself.)
                let right = min(left &+ 1, count &- 1)
                let child = left &+ (heap[right].precedes(heap[left]) ? 1 : 0)
                heap[hole] = heap[child]
                hole = child
            }
            Self.lift(last, from: hole, in: heap)
        }
        return first
    }

    /// Puts `event` in the hole at `hole`, or above it where it precedes the parents.
    @inline(__always)
    private static func lift(_ event: Event, from hole: Int, in heap: UnsafeMutableBufferPointer<Event>) {
        var hole = hole
        while hole > 0 {
            let parent = (hole &- 1) / 2
            guard event.precedes(heap[parent]) else { break }
            heap[hole] = heap[parent]
            hole = parent
        }
        heap[hole] = event
    }
}
