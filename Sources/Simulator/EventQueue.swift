/// The simulation's pending events: a binary min-heap keyed by (time,
/// insertion sequence), so events at the same instant happen in the order
/// they were scheduled and every run repeats exactly.
struct EventQueue: Sendable {
    enum Kind: UInt8, Sendable {
        case arrival
        case response
        case wake
        case background
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
    private var nextSequence: UInt64 = 0
    /// Events pushed so far.
    var pushed: UInt64 { nextSequence }

    mutating func push(_ time: Int64, _ kind: Kind, _ reference: Int = 0) {
        heap.append(Event(time: time, sequence: nextSequence, kind: kind, reference: reference))
        nextSequence += 1
        var child = heap.count - 1
        let event = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard event.precedes(heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = event
    }

    mutating func pop() -> Event? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        var parent = 0
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let child = right < count && heap[right].precedes(heap[left]) ? right : left
            guard heap[child].precedes(last) else { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = last
        return first
    }
}
