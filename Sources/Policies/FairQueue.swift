import HeadroomCore

/// Weighted fair queueing between tenants by virtual token counters (Sheng et al., "Fairness in
/// Serving Large Language Models", OSDI 2024): each tenant's counter grows with the weighted
/// tokens it is served, divided by its weight (``TenantLimits/weight``), and the waiting tenant
/// with the smallest counter goes next. Work-conserving: a tenant with nothing waiting takes
/// nothing, and the others share what it leaves.
///
/// - A job is charged its estimate when it is dispatched (its prompt times ``inputWeight`` plus its
///   `max_tokens` times ``outputWeight``), and corrected to what it used when it is served; a retry
///   is not charged again.
/// - A tenant that starts waiting (new, or back after a pause) is lifted to the smallest counter of
///   those already waiting: an idle spell banks no credit.
/// - Within a tenant, higher priority first, then first in first out.
///
/// The dispatch order merges the tenants' lanes by each job's start tag (its tenant's counter plus
/// the estimates of the jobs ahead of it in the lane): the first ``orderedPrefix`` positions are
/// kept ready, so the scheduler's pass reads them without recomputing.
///
/// ```swift
/// var configuration = SchedulerConfiguration()
/// configuration.tenantLimits = ["search": TenantLimits(weight: 2), "batch": TenantLimits(weight: 1)]
/// let scheduler = try Scheduler(deployments: deployments, queue: .fair, allocation: .maxHeadroom, configuration: configuration)
/// ```
public struct FairQueue: QueuePolicy {
    /// What a prompt token counts on a counter (1 by default).
    public let inputWeight: Double
    /// What an output token counts on a counter (2 by default: generating costs more than reading).
    public let outputWeight: Double
    /// Each waiting tenant's jobs: priority first, then arrival.
    private var lanes: [TenantID: PriorityQueue] = [:]
    /// Each tenant's virtual counter: the weighted tokens it was served, over its weight.
    private var counters: [TenantID: Double] = [:]
    /// The first ``orderedPrefix`` jobs in dispatch order.
    private var order: [QueuedJob] = []
    /// The number of waiting jobs.
    public private(set) var count = 0

    /// How many positions of the dispatch order are kept ready (more than the scheduler's default lookahead).
    public static let orderedPrefix = 256

    /// A fair queue counting prompt and output tokens with these weights.
    public init(inputWeight: Double = 1, outputWeight: Double = 2) {
        self.inputWeight = inputWeight.isFinite && inputWeight >= 0 ? inputWeight : 1
        self.outputWeight = outputWeight.isFinite && outputWeight >= 0 ? outputWeight : 2
    }

    /// The counter of `tenant` (0 before it was first served), for reports and tests.
    public func counter(of tenant: TenantID) -> Double {
        counters[tenant] ?? 0
    }

    public mutating func enqueue(_ job: QueuedJob) {
        if lanes[job.tenant] == nil {
            // It starts waiting: lifted to the least counter of those waiting, so an idle spell banks nothing.
            let waiting = lanes.keys.compactMap { counters[$0] }.min()
            counters[job.tenant] = max(counters[job.tenant] ?? 0, waiting ?? counters[job.tenant] ?? 0)
            lanes[job.tenant] = PriorityQueue(aging: nil)
        }
        lanes[job.tenant]!.enqueue(job)
        count += 1
        reorder()
    }

    public func job(at position: Int) -> QueuedJob? {
        guard position >= 0, position < count else { return nil }
        return position < order.count ? order[position] : merged(upTo: position + 1)[position]
    }

    public mutating func remove(at position: Int) -> QueuedJob {
        guard let job = job(at: position) else { preconditionFailure("FairQueue.remove(at: \(position)) with only \(count) jobs") }
        take(job)
        // Dispatched: its tenant is charged its estimate, once (a retry was charged at its first attempt).
        if job.attempts == 0 { counters[job.tenant, default: 0] += estimate(job) }
        reorder()
        return job
    }

    public mutating func remove(_ id: JobID) -> QueuedJob? {
        for tenant in Array(lanes.keys) {
            guard let job = lanes[tenant]?.remove(id) else { continue }
            if lanes[tenant]?.count == 0 { lanes[tenant] = nil }
            count -= 1
            reorder()
            return job
        }
        return nil
    }

    public mutating func settled(_ job: QueuedJob, usage: Usage) {
        let used = (inputWeight * Double(max(0, usage.promptTokens)) + outputWeight * Double(max(0, usage.completionTokens))) / job.weight
        counters[job.tenant, default: 0] += used - estimate(job)
        if lanes[job.tenant] != nil { reorder() }
    }

    // MARK: Order

    /// What dispatching `job` charges its tenant: its weighted tokens over its weight.
    private func estimate(_ job: QueuedJob) -> Double {
        let output = max(0, job.outputTokens)
        return (inputWeight * Double(max(0, job.tokens - output)) + outputWeight * Double(output)) / job.weight
    }

    private mutating func take(_ job: QueuedJob) {
        _ = lanes[job.tenant]?.remove(job.id)
        if lanes[job.tenant]?.count == 0 { lanes[job.tenant] = nil }
        count -= 1
    }

    private mutating func reorder() {
        order = merged(upTo: min(count, Self.orderedPrefix))
    }

    /// The first `limit` jobs in dispatch order: the lanes merged by start tag, ties by submission order.
    private func merged(upTo limit: Int) -> [QueuedJob] {
        var heads = MinHeap<Head>()
        for (tenant, lane) in lanes {
            if let first = lane.job(at: 0) { heads.push(.init(tag: counters[tenant] ?? 0, job: first, offset: 0)) }
        }
        var result: [QueuedJob] = []
        result.reserveCapacity(limit)
        while result.count < limit, let head = heads.pop() {
            result.append(head.job)
            if let next = lanes[head.job.tenant]?.job(at: head.offset + 1) {
                heads.push(.init(tag: head.tag + estimate(head.job), job: next, offset: head.offset + 1))
            }
        }
        return result
    }
}

/// A lane's next job in the merge: the least start tag goes first, then the earliest submitted.
private struct Head: Comparable, Sendable {
    var tag: Double
    var job: QueuedJob
    /// Its position in its lane.
    var offset: Int

    static func < (lhs: Head, rhs: Head) -> Bool {
        lhs.tag != rhs.tag ? lhs.tag < rhs.tag : lhs.job.sequence < rhs.job.sequence
    }
}

extension QueuePolicy where Self == FairQueue {
    /// Weighted fair queueing between tenants by virtual token counters (``FairQueue``).
    public static var fair: FairQueue { FairQueue() }
}
