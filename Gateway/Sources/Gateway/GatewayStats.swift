import HeadroomAdapters
import HeadroomCache
import HeadroomCore
import HeadroomSharedCapacity

/// What the gateway has done, as `GET /stats` returns it (and `/metrics` in
/// Prometheus' text format).
public struct GatewayStats: Codable, Hashable, Sendable {
    /// Requests by how they ended.
    public struct Requests: Codable, Hashable, Sendable {
        /// Every request that reached an API route.
        public var total = 0
        /// Answered by a deployment.
        public var succeeded = 0
        /// Failed upstream: attempts used up, the provider refused it, no deployment left.
        public var failed = 0
        /// Turned away by back-pressure: a full queue, an expired wait, the client's own limit (429).
        public var rejected = 0
        /// Malformed, or for nothing any deployment serves (400).
        public var invalid = 0
        /// No key, or an unknown one (401).
        public var unauthorized = 0
        /// The client went away first.
        public var cancelled = 0
        /// Not ended yet.
        public var inProgress: Int { total - succeeded - failed - rejected - invalid - unauthorized - cancelled }
    }

    /// Latency of successful requests, from arrival to the last byte's hand-over, in seconds.
    public struct Latency: Codable, Hashable, Sendable {
        /// Requests measured (the most recent ones, up to a bound).
        public var count = 0
        /// The median.
        public var p50 = 0.0
        /// The 90th percentile.
        public var p90 = 0.0
        /// The 99th percentile.
        public var p99 = 0.0
        /// The slowest.
        public var max = 0.0
    }

    /// One deployment's state.
    public struct Deployment: Codable, Hashable, Sendable {
        /// Its id.
        public var id: String
        /// Attempts sent and not answered.
        public var inFlight: Int
        /// Requests left in the budget now.
        public var remainingRequests: Int
        /// Tokens left in the budget now.
        public var remainingTokens: Int
        /// The share of the configured limits in force (below 1 after repeated 429s).
        public var limitFactor: Double
        /// The share of its limits this gateway uses (1 unless gateways share it through Redis).
        public var share: Double
        /// Attempts sent.
        public var dispatched: Int
        /// Attempts answered with success.
        public var succeeded: Int
        /// 429s this deployment answered.
        public var throttled: Int
        /// Attempts that failed otherwise.
        public var failed: Int
        /// Seconds until a 429's retry-after ends, if one is in force.
        public var blockedForSeconds: Double?
        /// The provider's own view of the budget, from its rate-limit headers, while the scheduler holds the deployment to it.
        public var serverView: ServerView?
        /// Whether the provider contradicted its own rate-limit headers, so they are ignored until its next 429.
        public var headersIgnored: Bool
        /// Why the deployment is out of rotation, if it is.
        public var outOfRotation: String?
        /// `batch` for a batch deployment (absent for a synchronous one).
        public var kind: String?
        /// For a batch deployment: the prompt tokens in its forming files and batches under way.
        public var enqueuedTokens: Int?
    }

    /// What the requests served cost at the configured prices, and what batching saved.
    public struct Cost: Codable, Hashable, Sendable {
        /// Every request.
        public var total: CostLedger.Line
        /// By deployment.
        public var deployments: [String: CostLedger.Line]
        /// By client.
        public var clients: [String: CostLedger.Line]
        /// By model.
        public var models: [String: CostLedger.Line]
    }

    /// What a deployment's rate-limit headers said, as the scheduler holds it.
    public struct ServerView: Codable, Hashable, Sendable {
        /// Tokens the server said were left, less what was sent since, if it said fewer than the scheduler counted.
        public var remainingTokens: Int?
        /// Requests the server said were left, less what was sent since, if it said fewer than the scheduler counted.
        public var remainingRequests: Int?
        /// Seconds until the view lapses: the server's reset, or the deployment's shortest window after the request it answered.
        public var expiresInSeconds: Double
    }

    /// One client's requests.
    public struct Client: Codable, Hashable, Sendable {
        /// Its name.
        public var name: String
        /// Requests it sent.
        public var requests = 0
        /// Of those, refused with a 429: the queue full, or the wait over (its own limits included).
        public var rejected = 0
    }

    /// Requests by how they ended.
    public var requests: Requests
    /// Latency of successful requests.
    public var latencySeconds: Latency
    /// Waiting for a deployment now.
    public var queued: Int
    /// Waiting to retry now.
    public var backingOff: Int
    /// Sent and not answered now.
    public var inFlight: Int
    /// Upstream 429s in all.
    public var upstreamThrottled: Int
    /// Attempts retried in all.
    public var upstreamRetries: Int
    /// Each deployment, in the configuration's order.
    public var deployments: [Deployment]
    /// Each client, in the configuration's order.
    public var clients: [Client]
    /// What the response cache has done, when there is one.
    public var cache: CacheStatistics.Counts?
    /// How the gateway shares the deployments' limits with others, when it does.
    public var sharedState: SharedCapacity.Status?
    /// What the requests served cost, when the configuration has `prices`.
    public var cost: Cost?
    /// What the batch deployments have done, when there are any.
    public var batch: BatchStatistics?
    /// Each client's budgets in their current periods, when any client has one.
    public var budgets: Budgets?

    /// Where the clients' budgets stand.
    public struct Budgets: Hashable, Sendable, Codable {
        /// By client, then budget.
        public var statuses: [BudgetStatus]
        /// Times the store that keeps them (Redis, or the budget file) failed.
        public var storeErrors: Int
    }
}

extension GatewayStats.Deployment {
    init(_ snapshot: DeploymentSnapshot, now: Instant) {
        id = snapshot.id.rawValue
        inFlight = snapshot.inFlight
        remainingRequests = snapshot.remainingRequests
        remainingTokens = snapshot.remainingTokens
        limitFactor = snapshot.limitFactor
        share = snapshot.share
        dispatched = snapshot.dispatched
        succeeded = snapshot.succeeded
        throttled = snapshot.throttled
        failed = snapshot.failed
        blockedForSeconds = snapshot.blockedUntil.flatMap { $0 > now ? Double(($0 - now).nanoseconds) / 1e9 : nil }
        serverView = snapshot.serverView.map {
            GatewayStats.ServerView(remainingTokens: $0.remainingTokens, remainingRequests: $0.remainingRequests,
                                    expiresInSeconds: max(0, Double(($0.until - now).nanoseconds) / 1e9))
        }
        headersIgnored = snapshot.headersIgnored
        outOfRotation = snapshot.outOfRotation
        if snapshot.kind == .batch {
            kind = snapshot.kind.rawValue
            enqueuedTokens = snapshot.enqueuedTokens
        }
    }
}
