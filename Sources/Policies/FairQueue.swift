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
/// the estimates of the jobs ahead of it in the lane). Up to ``orderedPrefix`` positions are kept
/// ready and changed in place as jobs come and go, so an event costs about the prefix's length
/// however many jobs wait; the prefix is merged afresh only when it grows short.
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
    /// Each tenant's place in the arrays below, given on its first job.
    private var places: [TenantID: Int] = [:]
    /// By place: the tenant's waiting jobs (priority first, then arrival; `nil`: none wait), their
    /// estimates summed, and its virtual counter (the weighted tokens it was served, over its weight).
    private var lanes: [PriorityQueue?] = []
    private var laneEstimates: [Double] = []
    private var counters: [Double] = []
    /// The places of the tenants with jobs waiting.
    private var waiting: [Int] = []
    /// A prefix of the dispatch order, each job with its start tag: every waiting job not in it
    /// goes after all that are. Kept as jobs come and go, and merged afresh from the lanes when
    /// it grows short.
    private var order: [Tagged] = []
    /// The number of waiting jobs.
    public private(set) var count = 0

    /// How many positions of the dispatch order are kept ready (more than the scheduler's default lookahead).
    public static let orderedPrefix = 256
    /// Below this many kept positions (with more jobs waiting) the prefix is merged afresh.
    static let shortPrefix = 160

    /// A fair queue counting prompt and output tokens with these weights.
    public init(inputWeight: Double = 1, outputWeight: Double = 2) {
        self.inputWeight = inputWeight.isFinite && inputWeight >= 0 ? inputWeight : 1
        self.outputWeight = outputWeight.isFinite && outputWeight >= 0 ? outputWeight : 2
    }

    /// The counter of `tenant` (0 before it was first served), for reports and tests.
    public func counter(of tenant: TenantID) -> Double {
        places[tenant].map { counters[$0] } ?? 0
    }

    public mutating func enqueue(_ job: QueuedJob) {
        let place = place(of: job.tenant)
        if lanes[place] == nil {
            // It starts waiting: lifted to the least counter of those waiting, so an idle spell banks nothing.
            if let least = waiting.map({ counters[$0] }).min() { counters[place] = max(counters[place], least) }
            lanes[place] = PriorityQueue(aging: nil)
            waiting.append(place)
        }
        let complete = order.count == count
        let tag = counters[place] + laneEstimates[place]
        lanes[place]!.enqueue(job)
        laneEstimates[place] += estimate(job)
        count += 1
        guard lanes[place]!.job(at: lanes[place]!.count - 1)?.id == job.id else {
            // Ahead of jobs of its tenant (a higher priority): their start tags all move.
            return rebuild()
        }
        let entry = Tagged(tag: tag, job: job)
        if complete && order.count < Self.orderedPrefix {
            order.insert(entry, at: insertionPoint(of: entry))
        } else if let last = order.last, entry < last {
            order.insert(entry, at: insertionPoint(of: entry))
            if order.count > Self.orderedPrefix { order.removeLast() }
        }
    }

    public func job(at position: Int) -> QueuedJob? {
        guard position >= 0, position < count else { return nil }
        return position < order.count ? order[position].job : merged(upTo: position + 1)[position].job
    }

    public mutating func remove(at position: Int) -> QueuedJob {
        guard let job = job(at: position) else { preconditionFailure("FairQueue.remove(at: \(position)) with only \(count) jobs") }
        let place = places[job.tenant]!
        guard position < order.count else {
            take(job, at: place, charged: job.attempts == 0)
            rebuild()
            return job
        }
        let boundary = order.count < count ? order.last : nil
        let ahead = order[..<position].count { places[$0.job.tenant] == place }
        order.remove(at: position)
        // Dispatched: its tenant is charged its estimate, once (a retry was charged at its first attempt).
        // Its tenant's jobs ahead of it start later by the charge; those behind, by the charge less its estimate.
        let charge = job.attempts == 0 ? estimate(job) : 0
        take(job, at: place, charged: job.attempts == 0)
        if lanes[place] != nil { shift(place, split: ahead, ahead: charge, behind: charge - estimate(job), boundary: boundary) }
        refillIfShort()
        return job
    }

    public mutating func remove(_ id: JobID) -> QueuedJob? {
        for place in waiting {
            guard let job = lanes[place]?.remove(id) else { continue }
            let boundary = order.count < count ? order.last : nil
            // The tenant's kept jobs ahead of it keep their tags; those behind it start earlier by its estimate.
            var ahead = 0
            for entry in order where places[entry.job.tenant] == place {
                if entry.job.id == id { break }
                ahead += 1
            }
            take(job, at: place, charged: false)
            order.removeAll { $0.job.id == id }
            if lanes[place] != nil { shift(place, split: ahead, ahead: 0, behind: -estimate(job), boundary: boundary) }
            refillIfShort()
            return job
        }
        return nil
    }

    public mutating func settled(_ job: QueuedJob, usage: Usage) {
        guard let place = places[job.tenant] else { return }
        let used = (inputWeight * Double(max(0, usage.promptTokens)) + outputWeight * Double(max(0, usage.completionTokens))) / job.weight
        let change = used - estimate(job)
        counters[place] += change
        guard lanes[place] != nil, change != 0 else { return }
        shift(place, split: 0, ahead: 0, behind: change, boundary: order.count < count ? order.last : nil)
        refillIfShort()
    }

    // MARK: Order

    /// What dispatching `job` charges its tenant: its weighted tokens over its weight.
    private func estimate(_ job: QueuedJob) -> Double {
        let output = max(0, job.outputTokens)
        return (inputWeight * Double(max(0, job.tokens - output)) + outputWeight * Double(output)) / job.weight
    }

    private mutating func place(of tenant: TenantID) -> Int {
        if let place = places[tenant] { return place }
        places[tenant] = lanes.count
        lanes.append(nil)
        laneEstimates.append(0)
        counters.append(0)
        return lanes.count - 1
    }

    /// Takes `job` out of the lane at `place` (if it is still there) and out of the counts, and
    /// charges its tenant its estimate if it was `charged`.
    private mutating func take(_ job: QueuedJob, at place: Int, charged: Bool) {
        _ = lanes[place]?.remove(job.id)
        if charged { counters[place] += estimate(job) }
        laneEstimates[place] -= estimate(job)
        count -= 1
        if lanes[place]?.count == 0 {
            lanes[place] = nil
            laneEstimates[place] = 0
            waiting.removeAll { $0 == place }
        }
    }

    /// Moves the start tags of the kept jobs of the tenant at `place`: its first `split` by `ahead`,
    /// the rest by `behind`; and merges them back among the others. What is kept stays a true
    /// prefix: it ends at `boundary` (the last kept job before the change, when not every job was
    /// kept) and before the tenant's first job not kept.
    private mutating func shift(_ place: Int, split: Int, ahead: Double, behind: Double, boundary: Tagged?) {
        // No tag moves, of a kept job or of one not kept: the prefix stands.
        guard behind != 0 || (ahead != 0 && split > 0) else { return }
        var moved: [Tagged] = [], others: [Tagged] = []
        for entry in order {
            guard places[entry.job.tenant] == place else {
                others.append(entry)
                continue
            }
            moved.append(Tagged(tag: entry.tag + (moved.count < split ? ahead : behind), job: entry.job))
        }
        var limit = boundary
        if let lane = lanes[place], let next = lane.job(at: moved.count) {
            let tag = moved.last.map { $0.tag + estimate($0.job) } ?? counters[place]
            let candidate = Tagged(tag: tag, job: next)
            if limit == nil || candidate < limit! { limit = candidate }
        }
        order.removeAll(keepingCapacity: true)
        var m = 0, o = 0
        while m < moved.count || o < others.count {
            let entry = o == others.count || (m < moved.count && moved[m] < others[o]) ? moved[m] : others[o]
            if let limit, limit < entry { break }
            if m < moved.count && entry.job.id == moved[m].job.id { m += 1 } else { o += 1 }
            order.append(entry)
        }
    }

    private mutating func refillIfShort() {
        if order.count < min(count, Self.shortPrefix) { rebuild() }
    }

    private mutating func rebuild() {
        order = merged(upTo: min(count, Self.orderedPrefix))
    }

    /// Where `entry` goes in the kept prefix.
    private func insertionPoint(of entry: Tagged) -> Int {
        var low = 0, high = order.count
        while low < high {
            let middle = (low + high) / 2
            if order[middle] < entry { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The first `limit` jobs in dispatch order, with their start tags: the lanes merged by start
    /// tag, ties by submission order. The prefix kept as jobs come and go must always equal it.
    func merged(upTo limit: Int) -> [Tagged] {
        var heads = MinHeap<Head>()
        for place in waiting {
            if let first = lanes[place]?.job(at: 0) { heads.push(Head(entry: Tagged(tag: counters[place], job: first), place: place, offset: 0)) }
        }
        var result: [Tagged] = []
        result.reserveCapacity(limit)
        while result.count < limit, let head = heads.pop() {
            result.append(head.entry)
            if let next = lanes[head.place]?.job(at: head.offset + 1) {
                heads.push(Head(entry: Tagged(tag: head.entry.tag + estimate(head.entry.job), job: next), place: head.place, offset: head.offset + 1))
            }
        }
        return result
    }

    /// The kept prefix, for tests: it must equal ``merged(upTo:)`` of its length.
    var keptOrder: [Tagged] { order }
}

/// A waiting job and its start tag: the least tag goes first, then the earliest submitted.
struct Tagged: Comparable, Sendable {
    var tag: Double
    var job: QueuedJob

    static func < (lhs: Tagged, rhs: Tagged) -> Bool {
        lhs.tag != rhs.tag ? lhs.tag < rhs.tag : lhs.job.sequence < rhs.job.sequence
    }

    static func == (lhs: Tagged, rhs: Tagged) -> Bool {
        lhs.tag == rhs.tag && lhs.job.id == rhs.job.id
    }
}

/// A lane's next job in the merge, and where it stands in its lane.
private struct Head: Comparable, Sendable {
    var entry: Tagged
    var place: Int
    var offset: Int

    static func < (lhs: Head, rhs: Head) -> Bool { lhs.entry < rhs.entry }
    static func == (lhs: Head, rhs: Head) -> Bool { lhs.entry == rhs.entry }
}

extension QueuePolicy where Self == FairQueue {
    /// Weighted fair queueing between tenants by virtual token counters (``FairQueue``).
    public static var fair: FairQueue { FairQueue() }
}
