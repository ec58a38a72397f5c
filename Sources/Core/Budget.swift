/// A tenant's allowance over a calendar period (a UTC day or month): a spend, at the price table's
/// prices, or a number of tokens (prompt and completion). Past its soft share a budget is reported
/// (a log line, a metric); spent, its tenant's requests are refused until the period ends.
///
/// ```swift
/// let daily = Budget(period: .day, amount: .spend(50))          // 50 a day in the prices' currency
/// let monthly = Budget(period: .month, amount: .tokens(200_000_000), softShare: 0.9)
/// ```
public struct Budget: Hashable, Sendable {
    /// The calendar period a budget covers; each starts afresh at midnight UTC.
    public enum Period: String, Hashable, Sendable, Codable, CaseIterable {
        case day, month
    }

    /// What a budget counts.
    public enum Amount: Hashable, Sendable {
        /// Spend, in the price table's currency (requests of a model the table does not price count nothing).
        case spend(Double)
        /// Prompt and completion tokens.
        case tokens(Int)

        /// The limit as a number.
        public var limit: Double {
            switch self {
            case .spend(let limit): limit
            case .tokens(let limit): Double(limit)
            }
        }
    }

    /// The period it covers.
    public var period: Period
    /// What it allows a period.
    public var amount: Amount
    /// The share of the amount past which the budget is reported as nearly spent (0.8 by default).
    public var softShare: Double

    /// A budget of `amount` a `period`, reported past `softShare` of it.
    public init(period: Period, amount: Amount, softShare: Double = 0.8) {
        self.period = period
        self.amount = amount
        self.softShare = softShare
    }

    /// Its name, unique among a tenant's budgets when their periods or amounts differ: `day-spend`, `month-tokens`.
    public var name: String {
        switch amount {
        case .spend: "\(period.rawValue)-spend"
        case .tokens: "\(period.rawValue)-tokens"
        }
    }

    /// The most a budget may allow: far beyond any bill, and exact in a `Double`.
    public static let largestAmount = 1e15

    /// Checks its figures, naming `tenant` in the error.
    public func validate(tenant: String) throws(HeadroomError) {
        let limit = amount.limit
        guard limit.isFinite, limit > 0, limit <= Self.largestAmount else {
            throw HeadroomError(.invalidConfiguration, "Tenant '\(tenant)': its \(name) budget is \(limit); it must be above 0 and at most 1e15.")
        }
        guard softShare > 0, softShare <= 1 else {
            throw HeadroomError(.invalidConfiguration, "Tenant '\(tenant)': its \(name) budget's softShare is \(softShare); it must be above 0 and at most 1.")
        }
    }
}
