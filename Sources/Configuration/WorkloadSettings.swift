/// The `workload` section of a configuration: where a simulation's requests come
/// from (a trace, generated requests, or the built-in trace slice) and how they
/// are transformed. The live programs pass over it.
public struct WorkloadSettings: Hashable, Sendable, Codable {
    /// A trace file.
    public struct Trace: Hashable, Sendable, Codable {
        /// Its path; relative to the configuration file's folder.
        public var path: String
        /// `azure`, `mooncake` or `native`; by default told by the file.
        public var format: String?

        /// The trace at `path`, its format told by the file unless given.
        public init(path: String, format: String? = nil) {
            self.path = path
            self.format = format
        }
    }

    /// Generated requests.
    public struct Synthetic: Hashable, Sendable, Codable {
        /// How many.
        public var count: Int
        /// The mean arrival rate.
        public var requestsPerSecond: Double
        /// Mean seconds of a burst (with ``burstOffSeconds``: bursty arrivals).
        public var burstOnSeconds: Double?
        /// Mean seconds between bursts.
        public var burstOffSeconds: Double?
        /// The prompt's median tokens (default 1,020).
        public var promptMedian: Double?
        /// The prompt's log-normal spread (default 0.9).
        public var promptSigma: Double?
        /// The output's median tokens (default 129).
        public var outputMedian: Double?
        /// The output's log-normal spread (default 0.9).
        public var outputSigma: Double?
        /// The generator's seed (default: the configuration's).
        public var seed: UInt64?
        /// The share of requests that ask again what one of the last ``repeatPool`` distinct
        /// requests asked (0 to 1; default 0): for the response cache. With a share, every request
        /// carries a cache key.
        public var repeatShare: Double?
        /// How many recent distinct requests a repeat is drawn from, evenly (default 1,000).
        public var repeatPool: Int?
        /// The share of requests that accept a batch's late answer (0 to 1; default 0): deferrable
        /// traffic, which goes to a batch deployment when there is one.
        public var batchShare: Double?
        /// Every request's deadline in seconds, as a client's `x-headroom-deadline` (default none).
        public var deadlineSeconds: Double?
        /// The deadline in seconds the ``batchShare`` requests give instead of asking for batch: they
        /// then go to batch by their deadline alone, under `gateway.batchByDeadline` (default none).
        public var deferrableDeadlineSeconds: Double?

        /// `count` requests at `requestsPerSecond` on average; the rest at its default.
        public init(count: Int, requestsPerSecond: Double) {
            self.count = count
            self.requestsPerSecond = requestsPerSecond
        }
    }

    /// `azure-conv-10min`, the built-in trace slice (the default when no source is given).
    public var builtin: String?
    /// A trace file.
    public var trace: Trace?
    /// Generated requests.
    public var synthetic: Synthetic?
    /// `max_tokens` as a multiple of each request's output (default 1.25).
    public var maxTokensFactor: Double?
    /// A fixed `max_tokens` for every request.
    public var maxTokens: Int?
    /// The model every request names.
    public var model: String?
    /// The arrival rate multiplied by this factor (2 doubles it).
    public var timeScale: Double?
    /// Requests that arrive before this many seconds are left out.
    public var startSeconds: Double?
    /// Requests that arrive after this many seconds are left out.
    public var endSeconds: Double?
    /// At most this many requests.
    public var limit: Int?
    /// Priorities given to requests in turn.
    public var priorities: [Int]?
    /// Tenants given to requests in turn (e.g. `["batch", "batch", "ui"]`).
    public var tenants: [String]?

    /// The built-in workload.
    public init() {}
}
