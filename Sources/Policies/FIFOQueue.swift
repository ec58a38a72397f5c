import HeadroomCore

/// First in, first out, by submission order; a retried job keeps its place.
///
/// Optionally a smaller job may pass a head that does not fit yet (so one
/// large request does not stall a stream of small ones), but each blocked job
/// can be passed at most `smallerJobsMayPass` times, so nothing starves.
///
/// ```swift
/// var scheduler = try Scheduler(deployments: deployments, queue: .fifo, allocation: .maxHeadroom)
/// var lenient = try Scheduler(deployments: deployments, queue: .fifo(smallerJobsMayPass: 8), allocation: .maxHeadroom)
/// ```
public struct FIFOQueue: QueuePolicy {
    /// How many times one blocked job may be passed by smaller ones; 0 forbids passing.
    public let smallerJobsMayPass: Int
    private var jobs = JobDeque()

    /// Creates a FIFO queue; `smallerJobsMayPass` bounds how often a blocked job may be passed.
    public init(smallerJobsMayPass: Int = 0) {
        self.smallerJobsMayPass = max(0, smallerJobsMayPass)
    }

    public var count: Int { jobs.count }

    public mutating func enqueue(_ job: QueuedJob) {
        jobs.insertInOrder(job)
    }

    public func job(at position: Int) -> QueuedJob? {
        position < jobs.count ? jobs[position] : nil
    }

    public mutating func remove(at position: Int) -> QueuedJob {
        jobs.remove(at: position)
    }

    public mutating func remove(_ id: JobID) -> QueuedJob? {
        jobs.remove(id)
    }

    public var allowsPassing: Bool { smallerJobsMayPass > 0 }

    public var ordersBySubmission: Bool { smallerJobsMayPass == 0 }

    public func position(of job: QueuedJob) -> Int? {
        jobs.offset(ofSequence: job.sequence)
    }

    public func mayPass(_ job: QueuedJob, blocked: QueuedJob, timesPassed: Int) -> Bool {
        job.tokens < blocked.tokens && timesPassed < smallerJobsMayPass
    }
}

extension QueuePolicy where Self == FIFOQueue {
    /// Strict first in, first out.
    public static var fifo: FIFOQueue { FIFOQueue() }

    /// First in, first out, letting smaller jobs pass a blocked one at most `times` times.
    public static func fifo(smallerJobsMayPass times: Int) -> FIFOQueue {
        FIFOQueue(smallerJobsMayPass: times)
    }
}
