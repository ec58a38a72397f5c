import Foundation
import HeadroomCore

/// Generated requests: Poisson or bursty (on/off) arrivals, lognormal sizes,
/// from a seeded generator, so a seed always gives the same workload.
///
/// ```swift
/// var workload = SyntheticWorkload(count: 10_000, requestsPerSecond: 20, seed: 7)
/// while let request = workload.next() { ... }
/// ```
public struct SyntheticWorkload: WorkloadSource, Sendable {
    /// How arrivals are spaced.
    public enum Arrivals: Hashable, Sendable, Codable {
        /// Exponential gaps at a constant rate.
        case poisson
        /// Alternating on and off periods (exponential lengths with these means,
        /// in seconds; on periods last 1 ms at the least on average);
        /// Poisson arrivals during on periods at the rate that keeps the mean rate.
        case bursty(meanOn: Double, meanOff: Double)
    }

    /// A lognormal size: the median and the spread (sigma of the log).
    public struct Size: Hashable, Sendable, Codable {
        /// Half the values fall below it.
        public var median: Double
        /// The standard deviation of the natural log of the size.
        public var sigma: Double
        /// Values are clamped to this range.
        public var range: ClosedRange<Int>

        /// Creates a size distribution.
        public init(median: Double, sigma: Double, range: ClosedRange<Int>) {
            self.median = median
            self.sigma = sigma
            self.range = range
        }
    }

    /// Requests that ask again what an earlier one asked, for the response cache.
    public struct Repeats: Hashable, Sendable, Codable {
        /// The share of requests that repeat one, from 0 to 1.
        public var share: Double
        /// How many of the latest distinct requests a repeat is drawn from, evenly.
        public var pool: Int

        /// `share` of the requests repeating one of the last `pool` distinct ones.
        public init(share: Double, pool: Int = 1_000) {
            self.share = share
            self.pool = pool
        }
    }

    /// Requests to generate.
    public let count: Int
    /// Mean arrivals a second over the whole run.
    public let requestsPerSecond: Double
    /// The arrival process.
    public let arrivals: Arrivals
    /// Prompt sizes (defaults match the Azure 2023 conversation trace: median 1,020).
    public let prompt: Size
    /// Output sizes (median 129, as in the same trace).
    public let output: Size
    /// How `max_tokens` follows the output.
    public let maxTokens: MaxTokensRule
    /// The model every request asks for.
    public let model: String
    /// Requests that repeat earlier ones, if any: then every request has a
    /// ``SimulatedRequest/cacheKey``, one key for each distinct request.
    public let repeats: Repeats?
    /// The share of requests that accept batch (``SimulatedRequest/batch``); the others say nothing.
    public let batchShare: Double
    /// Every request's deadline (``SimulatedRequest/deadline``), if any; but see ``deferrableDeadline``.
    public let deadline: Duration?
    /// The deadline the ``batchShare`` requests give instead of asking for batch, if any: they then go
    /// to batch only by their deadline (``Simulation/batchByDeadline``), as a client that sends
    /// `x-headroom-deadline` does.
    public let deferrableDeadline: Duration?

    private var random: SeededRandom
    /// The samplers' tables, held here: reading a global costs a call at every use.
    private let normal = Ziggurat.normal
    private let standardExponential = Ziggurat.exponential
    private var produced = 0
    private var clock = 0.0
    private var onUntil = -1.0
    /// The latest distinct requests (their number and sizes), oldest overwritten first, for repeats.
    private var recent: [(number: Int, prompt: Int, maxTokens: Int, output: Int)] = []
    private var oldestRecent = 0

    /// Creates a generator; `seed` fixes everything it produces.
    public init(
        count: Int, requestsPerSecond: Double, arrivals: Arrivals = .poisson,
        prompt: Size = Size(median: 1_020, sigma: 0.9, range: 2 ... 14_000),
        output: Size = Size(median: 129, sigma: 0.9, range: 7 ... 1_000),
        maxTokens: MaxTokensRule = .outputTimes(1.25), model: String = "gpt-4o", repeats: Repeats? = nil, batchShare: Double = 0,
        deadline: Duration? = nil, deferrableDeadline: Duration? = nil, seed: UInt64
    ) {
        self.count = max(0, count)
        self.requestsPerSecond = max(1e-9, requestsPerSecond)
        switch arrivals {
        case .poisson: self.arrivals = .poisson
        // Bounded below, or a gap would span countless on periods.
        case .bursty(let on, let off): self.arrivals = .bursty(meanOn: max(0.001, on), meanOff: max(0, off))
        }
        self.prompt = prompt
        self.output = output
        self.maxTokens = maxTokens
        self.model = model
        self.repeats = repeats.map { Repeats(share: min(1, max(0, $0.share)), pool: max(1, $0.pool)) }
        self.batchShare = min(1, max(0, batchShare))
        self.deadline = deadline
        self.deferrableDeadline = deferrableDeadline
        self.random = SeededRandom(seed: seed)
    }

    public mutating func next() -> SimulatedRequest? {
        var request = SimulatedRequest(arrival: .zero, promptTokens: 0, maxTokens: 0, outputTokens: 0, model: model)
        return next(into: &request) ? request : nil
    }

    public mutating func next(into request: inout SimulatedRequest) -> Bool {
        guard produced < count else { return false }
        produced += 1
        switch arrivals {
        case .poisson:
            clock += exponential(mean: 1 / requestsPerSecond)
        case .bursty(let meanOn, let meanOff):
            // Arrivals at `onRate` during on periods, none during off periods. Gaps are
            // memoryless, so a gap that runs past the on period starts again in the next one.
            let onRate = requestsPerSecond * (meanOn + meanOff) / max(1e-9, meanOn)
            if onUntil < 0 { onUntil = exponential(mean: meanOn) }
            var candidate = clock + exponential(mean: 1 / onRate)
            while candidate > onUntil {
                let onStart = onUntil + exponential(mean: meanOff)
                onUntil = onStart + exponential(mean: meanOn)
                candidate = onStart + exponential(mean: 1 / onRate)
            }
            clock = candidate
        }
        request.arrival = .seconds(clock)
        if let repeats {
            repeatOrRecord(&request, repeats)
        } else {
            let outputTokens = sample(output)
            request.promptTokens = sample(prompt)
            request.maxTokens = maxTokens.maxTokens(forOutput: outputTokens)
            request.outputTokens = min(outputTokens, request.maxTokens)
            if request.cacheKey != nil { request.cacheKey = nil }
        }
        // Strings only where they differ: assigning one retains it even when it is the same.
        if request.model != model { request.model = model }
        if request.tenant != nil { request.tenant = nil }
        request.priority = 0
        // Drawn only when asked for: a workload without deferrable traffic draws what it always drew.
        let deferrable = batchShare > 0 && random.nextUnit() < batchShare
        if deferrable, let deferrableDeadline {
            request.batch = nil
            request.deadline = deferrableDeadline
        } else {
            request.batch = deferrable ? true : nil
            request.deadline = deadline
        }
        return true
    }

    /// Makes `request` a repeat of a recent distinct request (with the share's odds), or a new
    /// one it records: its key names which.
    private mutating func repeatOrRecord(_ request: inout SimulatedRequest, _ repeats: Repeats) {
        var chosen: (number: Int, prompt: Int, maxTokens: Int, output: Int)
        if !recent.isEmpty, random.nextUnit() < repeats.share {
            chosen = recent[Int(random.next() % UInt64(recent.count))]
        } else {
            let outputTokens = sample(output)
            chosen = (produced - 1, sample(prompt), maxTokens.maxTokens(forOutput: outputTokens), 0)
            chosen.output = min(outputTokens, chosen.maxTokens)
            if recent.count < repeats.pool {
                recent.append(chosen)
            } else {
                recent[oldestRecent] = chosen
                oldestRecent = (oldestRecent + 1) % repeats.pool
            }
        }
        request.promptTokens = chosen.prompt
        request.maxTokens = chosen.maxTokens
        request.outputTokens = chosen.output
        request.cacheKey = "s\(chosen.number)"
        request.isRepeatable = true
    }

    private mutating func exponential(mean: Double) -> Double {
        mean * standardExponential.next(&random)
    }

    private mutating func sample(_ size: Size) -> Int {
        // Bounded (a huge median or sigma cannot overflow `Int`) and rounded by adding a half and
        // truncating, which for the positive sizes a sensible median gives is to nearest (`rounded()` costs a call).
        let value = Int(max(-1e18, min(1e18, size.median * exp(size.sigma * normal.next(&random)))) + 0.5)
        return min(size.range.upperBound, max(size.range.lowerBound, value))
    }
}
