import HeadroomCore

/// What a simulation measured. Encodes to JSON as documented in
/// `Docs/report-schema.md`; ``text`` renders it for a terminal.
public struct SimulationReport: Hashable, Sendable, Codable {
    /// The client's name, e.g. "headroom (fifo, maxHeadroom)".
    public var strategy: String
    /// The seed of the run.
    public var seed: UInt64
    /// What happened to the requests.
    public var requests: Requests
    /// What was sent to the deployments.
    public var upstream: Upstream
    /// From the first arrival to the last answer.
    public var durationSeconds: Double
    /// Prompt plus completion tokens per minute of the horizon, of succeeded
    /// requests dispatched by the horizon (the last arrival).
    public var goodputTokensPerMinute: Double
    /// The capacity bound and how close the run came to it.
    public var capacity: Capacity
    /// From arrival to the first dispatch, over requests dispatched at least once.
    public var queueWait: Percentiles
    /// From arrival to the answer, over succeeded requests.
    public var latency: Percentiles
    /// The same latencies, counted into buckets.
    public var latencyHistogram: Histogram
    /// One entry a deployment.
    public var deployments: [DeploymentReport]
    /// Per-bucket series for charts.
    public var timeline: Timeline
    /// Events the simulation processed.
    public var events: UInt64
    /// What the response cache did; `nil` when the run had none.
    public var cache: Cache?
    /// How Headroom's instances shared the deployments; `nil` when it ran as one.
    public var sharing: Sharing?
    /// What the batch deployments did, when there are any.
    public var batch: Batch?
    /// What the requests served cost at the configuration's prices, when it has them.
    public var cost: Cost?
    /// Each tenant's requests, when the workload names tenants, in order of first arrival.
    public var tenants: [TenantReport]?
    /// Jain's fairness index of the tenants' served shares against their entitlements (1: each got
    /// exactly its entitlement; 1/n: one got everything), when the workload names tenants.
    public var fairness: Double?

    /// One tenant's requests.
    public struct TenantReport: Hashable, Sendable, Codable {
        /// Its name.
        public var name: String
        /// Requests it offered, those served, and those refused at arrival because a budget of its was spent.
        public var offered: Int, served: Int, refused: Int
        /// Prompt and completion tokens of its requests served.
        public var servedTokens: Int
        /// Its part of all tenants' served tokens.
        public var share: Double
        /// Its weight over all tenants' weights: what a fair split gives it while all wait.
        public var entitlement: Double
        /// Arrival to first dispatch, of its requests dispatched.
        public var queueWait: Percentiles
        /// Arrival to answer, of its requests served.
        public var latency: Percentiles
        /// Prompt and completion tokens of its requests served, by the timeline bucket they ended in
        /// (the buckets of ``Timeline``; it stops at its last).
        public var servedTimeline: [Int]
    }

    /// The batch deployments' files and batches, and the latency of deferrable and urgent requests.
    public struct Batch: Hashable, Sendable, Codable {
        /// Files, batches, answers and resends.
        public var statistics: BatchStatistics
        /// From arrival to answer, for the requests that accepted batch (whether a batch or, with batch
        /// routing off or sent back, a synchronous deployment answered them).
        public var deferrableLatency: Percentiles
        /// From arrival to answer, for the others.
        public var urgentLatency: Percentiles
    }

    /// Cost at the configuration's prices.
    public struct Cost: Hashable, Sendable, Codable {
        /// Every request served upstream.
        public var total: CostLedger.Line
        /// By deployment.
        public var deployments: [String: CostLedger.Line]
        /// By tenant, when the workload names tenants.
        public var tenants: [String: CostLedger.Line]
        /// By model.
        public var models: [String: CostLedger.Line]
    }

    /// How several instances of Headroom shared the deployments (see ``SimulatedSharing``).
    public struct Sharing: Hashable, Sendable, Codable {
        /// How many instances.
        public var instances: Int
        /// Whether they shared the limits through the store, or each took them whole.
        public var sharesLimits: Bool
        /// Renewals the store answered.
        public var renewals: Int
        /// Renewals it did not (out of reach).
        public var failures: Int
        /// Times an instance fell back to its own shares.
        public var fallbacks: Int
    }

    /// What the response cache did. Requests it answered count as succeeded, with
    /// their wait for the answer as latency (none for a hit), but not as offered to
    /// the deployments: the capacity bound and efficiency are over the rest.
    public struct Cache: Hashable, Sendable, Codable {
        /// Requests it applied to: hits, coalesced and misses.
        public var lookups = 0
        /// Requests the store answered.
        public var hits = 0
        /// Requests handed the answer of an identical request in flight.
        public var coalesced = 0
        /// Requests that went upstream for their answer.
        public var misses = 0
        /// Requests it did not apply to: without a key, or not cached in their tenant's mode.
        public var bypasses = 0
        /// `(hits + coalesced) / lookups`.
        public var hitRate = 0.0
        /// Answers stored.
        public var stored = 0
        /// Answers dropped to make room for others.
        public var evicted = 0
        /// Answers found past their time to live.
        public var expired = 0
        /// Answers not stored: larger than an entry may be.
        public var tooLarge = 0
        /// The most the store held, in bytes (as ``SimulatedCache/entryBytes(outputTokens:)`` counts).
        public var peakBytes = 0
        /// Prompt and completion tokens of the requests answered without going upstream.
        public var tokensSaved = 0
        /// The capacity they would have taken: their charge as the capacity bound counts it.
        public var freedTokens = 0
        /// `freedTokens` over the charge of every request.
        public var freedShare = 0.0

        /// Counts of nothing yet.
        public init() {}
    }

    /// What happened to the requests.
    public struct Requests: Hashable, Sendable, Codable {
        /// Requests in the workload.
        public var offered: Int
        /// Requests served.
        public var succeeded: Int
        /// Failed requests by reason (the error kind's name).
        public var failed: [String: Int]
        /// Requests refused because the queue was full.
        public var rejected: Int
    }

    /// What was sent to the deployments.
    public struct Upstream: Hashable, Sendable, Codable {
        /// Attempts sent, retries included.
        public var attempts: Int
        /// Attempts answered 429.
        public var throttled: Int
        /// `throttled / attempts`.
        public var throttleRate: Double
        /// Attempts answered with a 5xx, a time-out or an outage.
        public var errors: Int
        /// Attempts that were retries.
        public var retries: Int
    }

    /// The capacity bound (see ``MetricsCollector``).
    public struct Capacity: Hashable, Sendable, Codable {
        /// The last arrival, in seconds from the first: the horizon of the bound.
        public var horizonSeconds: Double
        /// Prompt + `max_tokens` of every request.
        public var offeredTokens: Int
        /// The most prompt + `max_tokens` the deployments could dispatch by the horizon.
        public var boundTokens: Int
        /// Prompt + `max_tokens` of succeeded requests dispatched by the horizon.
        public var servedTokens: Int
        /// The most requests the deployments could dispatch by the horizon.
        public var boundRequests: Int
        /// Succeeded requests dispatched by the horizon.
        public var servedRequests: Int
        /// "tokens" or "requests": the dimension whose bound is the smaller share of the offer.
        public var binding: String
        /// Served over bound in the binding dimension.
        public var efficiency: Double
    }

    /// Order statistics of a duration, in seconds (nearest rank).
    public struct Percentiles: Hashable, Sendable, Codable {
        /// How many durations there were.
        public var count: Int
        /// The median.
        public var p50: Double
        /// The 95th percentile.
        public var p95: Double
        /// The 99th percentile.
        public var p99: Double
        /// The longest.
        public var max: Double

        init(_ samples: [Int64]) {
            count = samples.count
            guard let longest = samples.max() else {
                (p50, p95, p99, max) = (0, 0, 0, 0)
                return
            }
            // Selected in place, the median first, then each higher rank within the part above
            // the last (about 4n steps in all): linear time, where sorting a million samples
            // would dominate the report.
            var values = samples
            func rank(_ q: Double, above start: Int) -> (index: Int, seconds: Double) {
                let index = Swift.min(values.count - 1, Swift.max(start, Int((q * Double(values.count)).rounded(.up)) - 1))
                values.select(index, in: start ..< values.count)
                return (index, Double(values[index]) / 1e9)
            }
            let r50 = rank(0.5, above: 0)
            let r95 = rank(0.95, above: r50.index)
            let r99 = rank(0.99, above: r95.index)
            (p50, p95, p99, max) = (r50.seconds, r95.seconds, r99.seconds, Double(longest) / 1e9)
        }
    }

    /// Counts of durations by bucket: `counts[i]` are those at most
    /// `upperBoundsSeconds[i]` and above the bound before; the last bucket is open.
    public struct Histogram: Hashable, Sendable, Codable {
        /// The upper bound of each bucket but the last, in seconds.
        public var upperBoundsSeconds: [Double]
        /// Durations in each bucket; one more than the bounds.
        public var counts: [Int]

        static let bounds: [Double] = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300]

        init(_ samples: [Int64]) {
            upperBoundsSeconds = Self.bounds
            counts = Array(repeating: 0, count: Self.bounds.count + 1)
            let bounds = Self.bounds
            for sample in samples {
                let seconds = Double(sample) / 1e9
                // The bounds below it, counted rather than searched: no branch to mispredict.
                var bucket = 0
                for bound in bounds { bucket += seconds > bound ? 1 : 0 }
                counts[bucket] += 1
            }
        }
    }

    /// One deployment's share.
    public struct DeploymentReport: Hashable, Sendable, Codable {
        /// The deployment's name.
        public var id: String
        /// Attempts sent to it.
        public var attempts: Int
        /// Attempts it served.
        public var succeeded: Int
        /// Attempts it answered 429.
        public var throttled: Int
        /// Attempts that failed otherwise.
        public var errors: Int
        /// Tokens its limiter charged.
        public var chargedTokens: Int
        /// Prompt and completion tokens of the attempts it served, over the whole run.
        public var servedTokens: Int
        /// Its tokens-per-minute limit times the run's minutes.
        public var quotaTokens: Int
        /// `chargedTokens / quotaTokens`.
        public var utilization: Double
    }

    /// Per-bucket series, from the first arrival.
    public struct Timeline: Hashable, Sendable, Codable {
        /// The width of a bucket.
        public var bucketSeconds: Double
        /// Tokens charged, per deployment, per bucket.
        public var chargedTokens: [[Int]]
        /// Each deployment's quota for one bucket.
        public var quotaTokensPerBucket: [Int]
        /// 429s per bucket.
        public var throttled: [Int]
        /// The most requests waiting (arrived, not in flight, not ended) in each bucket.
        public var queueLength: [Int]
    }
}
