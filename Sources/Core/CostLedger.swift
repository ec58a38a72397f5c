/// The cost of the requests served, by deployment, tenant and model, at a ``PriceTable``'s prices, and
/// what batching saved: the figures `/stats` and the simulator's reports show.
///
/// ```swift
/// var ledger = CostLedger(prices: prices)
/// ledger.record(usage, model: "gpt-4o-mini", deployment: "batch", tenant: "reports", batch: true)
/// ledger.total.cost   // what was spent; ledger.total.batchSaving: what the same at full price would have cost more
/// ```
public struct CostLedger: Hashable, Sendable {
    /// One line of the ledger.
    public struct Line: Hashable, Sendable, Codable {
        /// Requests served.
        public var requests = 0
        /// Of those, served by a batch deployment.
        public var batched = 0
        /// Of those, of a model the table does not price (not in `cost`).
        public var unpriced = 0
        /// What they cost.
        public var cost = 0.0
        /// What batching took off: their cost at the synchronous price, less `cost`.
        public var batchSaving = 0.0

        /// An empty line.
        public init() {}

        mutating func add(cost: Double?, full: Double?, batch: Bool) {
            requests += 1
            if batch { batched += 1 }
            guard let cost, let full else {
                unpriced += 1
                return
            }
            self.cost += cost
            batchSaving += full - cost
        }
    }

    /// The prices.
    public let prices: PriceTable
    /// Every request.
    public private(set) var total = Line()
    /// By deployment.
    public private(set) var deployments: [String: Line] = [:]
    /// By tenant (requests without one are in ``total`` only).
    public private(set) var tenants: [String: Line] = [:]
    /// By model.
    public private(set) var models: [String: Line] = [:]

    /// An empty ledger at `prices`.
    public init(prices: PriceTable) {
        self.prices = prices
    }

    /// Records a request served by `deployment` (a batch one when `batch`) that used `usage` of `model`;
    /// returns what it cost (`nil`: the table does not price the model), for budgets to count.
    @discardableResult
    public mutating func record(_ usage: Usage, model: String, deployment: String, tenant: String?, batch: Bool) -> Double? {
        let cost = prices.cost(of: usage, model: model, batch: batch)
        let full = batch ? prices.cost(of: usage, model: model, batch: false) : cost
        total.add(cost: cost, full: full, batch: batch)
        deployments[deployment, default: Line()].add(cost: cost, full: full, batch: batch)
        models[model, default: Line()].add(cost: cost, full: full, batch: batch)
        if let tenant { tenants[tenant, default: Line()].add(cost: cost, full: full, batch: batch) }
        return cost
    }
}
