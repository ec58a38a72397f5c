import HeadroomCore

/// One budget of a tenant (``TenantSettings/budgets``): a spend (at the `prices` section's
/// prices) or a number of tokens, a UTC day or month. Past `softShare` the gateway logs it and its
/// metric shows it; spent, the tenant's requests are refused (429 `budget_exceeded`) until the
/// period ends.
///
/// ```json
/// "budgets": [{"period": "day", "spend": 50}, {"period": "month", "tokens": 200000000, "softShare": 0.9}]
/// ```
public struct BudgetSettings: Hashable, Sendable, Codable {
    /// `day` or `month`.
    public var period: Budget.Period
    /// The most it may spend a period, in the prices' currency.
    public var spend: Double?
    /// The most prompt and completion tokens it may use a period.
    public var tokens: Int?
    /// The share past which it is reported as nearly spent (default 0.8).
    public var softShare: Double?

    /// A budget of `spend` or `tokens` (one of them) a `period`.
    public init(period: Budget.Period, spend: Double? = nil, tokens: Int? = nil, softShare: Double? = nil) {
        self.period = period
        self.spend = spend
        self.tokens = tokens
        self.softShare = softShare
    }

    /// The budget, checked; `tenant` names it in an error.
    public func budget(tenant: String) throws(HeadroomError) -> Budget {
        let amount: Budget.Amount
        switch (spend, tokens) {
        case (let spend?, nil): amount = .spend(spend)
        case (nil, let tokens?): amount = .tokens(tokens)
        default:
            throw HeadroomError(.invalidConfiguration, "Tenant '\(tenant)': a budget gives either \"spend\" or \"tokens\", not both or neither.")
        }
        let budget = Budget(period: period, amount: amount, softShare: softShare ?? 0.8)
        try budget.validate(tenant: tenant)
        return budget
    }
}
