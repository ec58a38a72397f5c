import HeadroomCore

/// Higher priority first; among equals, first in first out. With aging, a
/// job's priority grows by one for every `aging` it has waited, so low-priority
/// work is delayed, never starved.
///
/// With aging a job of priority *p* that arrived at *t* goes before every job
/// whose *t′ − p′·aging* is larger: an order that does not change as time passes,
/// so it is kept without re-sorting. Jobs are kept in one FIFO lane a priority
/// level: meant for a handful of levels, not thousands.
///
/// ```swift
/// var scheduler = try Scheduler(deployments: deployments, queue: .priority(aging: .seconds(30)),
///                               allocation: .leastLoaded)
/// ```
public struct PriorityQueue: QueuePolicy {
    /// Waiting this long raises a job's priority by one; `nil` means strict priority.
    public let aging: Duration?
    private let agingNanoseconds: Int64?
    /// Lanes in descending priority.
    private var lanes: [(priority: Int, jobs: JobDeque)] = []
    /// The number of waiting jobs.
    public private(set) var count = 0

    /// Creates a priority queue; `aging` is the wait that earns one level (`nil`: never).
    public init(aging: Duration? = .seconds(60)) {
        self.aging = aging.flatMap { $0 > .zero ? $0 : nil }
        self.agingNanoseconds = self.aging?.nanoseconds
    }

    public mutating func enqueue(_ job: QueuedJob) {
        count += 1
        var low = 0, high = lanes.count
        while low < high {
            let middle = (low + high) / 2
            if lanes[middle].priority > job.priority { low = middle + 1 } else { high = middle }
        }
        if low < lanes.count && lanes[low].priority == job.priority {
            lanes[low].jobs.insertInOrder(job)
        } else {
            var lane = JobDeque()
            lane.insertInOrder(job)
            lanes.insert((job.priority, lane), at: low)
        }
    }

    public func job(at position: Int) -> QueuedJob? {
        locate(position).map { lanes[$0.lane].jobs[$0.offset] }
    }

    public mutating func remove(at position: Int) -> QueuedJob {
        guard let (lane, offset) = locate(position) else {
            preconditionFailure("PriorityQueue.remove(at: \(position)) with only \(count) jobs")
        }
        return removeFrom(lane: lane, offset: offset)
    }

    public mutating func remove(_ id: JobID) -> QueuedJob? {
        for lane in lanes.indices {
            if let job = lanes[lane].jobs.remove(id) {
                if lanes[lane].jobs.isEmpty { lanes.remove(at: lane) }
                count -= 1
                return job
            }
        }
        return nil
    }

    private mutating func removeFrom(lane: Int, offset: Int) -> QueuedJob {
        let job = lanes[lane].jobs.remove(at: offset)
        if lanes[lane].jobs.isEmpty { lanes.remove(at: lane) }
        count -= 1
        return job
    }

    /// Whether `a` goes before `b`.
    private func precedes(_ a: QueuedJob, _ b: QueuedJob) -> Bool {
        if let agingNanoseconds {
            let keyA = a.arrival.nanoseconds.addingSaturating(-Int64(a.priority).multipliedReportingOverflow(by: agingNanoseconds).partialValue)
            let keyB = b.arrival.nanoseconds.addingSaturating(-Int64(b.priority).multipliedReportingOverflow(by: agingNanoseconds).partialValue)
            if keyA != keyB { return keyA < keyB }
        } else if a.priority != b.priority {
            return a.priority > b.priority
        }
        return a.sequence < b.sequence
    }

    /// The lane and offset of the job at `position` in dispatch order: a merge of the lanes.
    private func locate(_ position: Int) -> (lane: Int, offset: Int)? {
        guard position < count else { return nil }
        if lanes.count == 1 { return (0, position) }
        if position == 0 {
            // The head, the common case: the first of the lanes' heads, without cursors.
            var best = 0
            for lane in lanes.indices.dropFirst() where precedes(lanes[lane].jobs[0], lanes[best].jobs[0]) {
                best = lane
            }
            return (best, 0)
        }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: lanes.count) { cursors in
            cursors.initialize(repeating: 0)
            var remaining = position
            while true {
                var best = -1
                for lane in lanes.indices where cursors[lane] < lanes[lane].jobs.count {
                    if best < 0 || precedes(lanes[lane].jobs[cursors[lane]], lanes[best].jobs[cursors[best]]) {
                        best = lane
                    }
                }
                if remaining == 0 { return (best, cursors[best]) }
                cursors[best] += 1
                remaining -= 1
            }
        }
    }
}

extension QueuePolicy where Self == PriorityQueue {
    /// Priority with aging: one level gained each minute waited.
    public static var priority: PriorityQueue { PriorityQueue() }

    /// Priority with aging: one level gained each `aging` waited (`nil`: strict priority).
    public static func priority(aging: Duration?) -> PriorityQueue {
        PriorityQueue(aging: aging)
    }
}
