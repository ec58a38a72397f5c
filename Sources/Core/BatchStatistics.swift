/// What an engine's batch deployments have done: files formed and sent, how batches ended, their
/// sizes and turnarounds, and what was sent again synchronously.
public struct BatchStatistics: Hashable, Sendable, Codable {
    /// Files formed (flushed by size, bytes or age).
    public var formed = 0
    /// Batches created at the provider.
    public var submitted = 0
    /// Batches that completed, failed (validation, or a file or batch the provider refused), expired,
    /// or were cancelled past their grace period.
    public var completed = 0, failed = 0, expired = 0, cancelled = 0
    /// Requests answered from batch output, and requests sent again synchronously.
    public var answered = 0, resent = 0
    /// Requests waiting in files not yet sent, and in batches under way.
    public var forming = 0, inBatches = 0
    /// Batches picked up again from the journal after a restart.
    public var resumed = 0
    /// Answers kept for callers who left (or came before a restart) and may come back.
    public var kept = 0
    /// Requests per file: the mean and the largest.
    public var meanRequests = 0.0, largestRequests = 0
    /// Seconds from submission to the end, for batches that ended: 50th and 99th percentiles.
    public var turnaroundP50Seconds: Double?, turnaroundP99Seconds: Double?

    /// Zero counts.
    public init() {}
}

/// Keeps ``BatchStatistics`` from a driver's events: the sizes and turnarounds it needs for the mean
/// and the percentiles, the turnarounds bounded to the latest ``maxSamples``.
package struct BatchTally: Sendable {
    package private(set) var statistics = BatchStatistics()

    package init() {}
    private var requests = 0
    private var turnarounds: [Double] = []

    package static let maxSamples = 10_000

    package mutating func formed(requests count: Int) {
        statistics.formed += 1
        requests += count
        statistics.meanRequests = Double(requests) / Double(statistics.formed)
        statistics.largestRequests = max(statistics.largestRequests, count)
    }

    package mutating func ended(_ status: BatchStatus?, after seconds: Double?) {
        switch status {
        case .completed: statistics.completed += 1
        case .expired: statistics.expired += 1
        case .cancelled: statistics.cancelled += 1
        default: statistics.failed += 1
        }
        guard let seconds else { return }
        if turnarounds.count == Self.maxSamples { turnarounds.removeFirst() }
        turnarounds.append(seconds)
        let sorted = turnarounds.sorted()
        statistics.turnaroundP50Seconds = sorted[sorted.count / 2]
        statistics.turnaroundP99Seconds = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
    }

    package mutating func count(_ change: (inout BatchStatistics) -> Void) {
        change(&statistics)
    }
}
