/// What each tenant has used of its budgets in their current periods: refuses a request whose
/// tenant has spent a budget, tells when a soft share is crossed, and is kept across restarts
/// (``State``) and shared between gateways (``adopt(_:tenant:budget:periodStart:)``).
///
/// Usage is counted when a request ends, so requests under way when a budget runs out still
/// finish: a tenant can overshoot by what it has in flight.
///
/// ```swift
/// var ledger = BudgetLedger(budgets: ["search": [Budget(period: .day, amount: .spend(50))]])
/// if let refusal = ledger.refusal(for: "search", at: now) { throw refusal }   // 429 budget_exceeded
/// let crossed = ledger.record(tenant: "search", cost: 0.02, tokens: 1_200, at: now)
/// ```
public struct BudgetLedger: Sendable {
    /// Each tenant's budgets, by its name.
    public let budgets: [String: [Budget]]
    /// Used in the current period, by tenant and budget name.
    private var used: [Key: Use] = [:]

    struct Key: Hashable, Sendable {
        var tenant: String
        var budget: String
    }

    /// What a budget has used since `periodStart`, and whether its soft share was told.
    struct Use: Hashable, Sendable {
        var periodStart: Int64
        var amount: Double
        var softTold: Bool
    }

    /// A ledger with nothing used.
    public init(budgets: [String: [Budget]]) {
        self.budgets = budgets.filter { !$0.value.isEmpty }
    }

    /// Whether any tenant has a budget.
    public var isEmpty: Bool { budgets.isEmpty }

    /// The error that refuses a request of `tenant` at `now` (seconds since 1970) because one of
    /// its budgets is spent: it names the budget and when it resets, and its `retryAfter` is the
    /// time until then. `nil` when every budget has room.
    public func refusal(for tenant: String, at now: Double) -> HeadroomError? {
        guard let list = budgets[tenant] else { return nil }
        for budget in list {
            let (start, end) = budget.period.bounds(containing: now)
            let spent = amount(tenant, budget, periodStart: start)
            guard spent >= budget.amount.limit else { continue }
            let wait = Duration.seconds(max(0, Double(end) - now))
            return HeadroomError(.budgetExceeded, "Tenant '\(tenant)' has used \(Self.describe(spent, of: budget.amount)) of its "
                + "\(budget.period.adjective) budget of \(Self.describe(budget.amount.limit, of: budget.amount)); it resets at "
                + "\(CivilCalendar.iso8601(end)).", retryAfter: wait)
        }
        return nil
    }

    /// Counts a request of `tenant` that ended at `now` having cost `cost` (`nil`: unpriced) and
    /// used `tokens`; returns the statuses of the budgets whose soft share this crossed, each told
    /// once a period.
    public mutating func record(tenant: String, cost: Double?, tokens: Int, at now: Double) -> [BudgetStatus] {
        guard let list = budgets[tenant] else { return [] }
        var crossed: [BudgetStatus] = []
        for budget in list {
            let add: Double
            switch budget.amount {
            case .spend: add = cost.map { $0.isFinite ? max(0, $0) : 0 } ?? 0
            case .tokens: add = Double(max(0, tokens))
            }
            let key = Key(tenant: tenant, budget: budget.name)
            let start = budget.period.bounds(containing: now).start
            var use = current(key, periodStart: start)
            use.amount = min(use.amount + add, Budget.largestAmount * 2)
            if !use.softTold && use.amount >= budget.softShare * budget.amount.limit {
                use.softTold = true
                crossed.append(status(tenant, budget, use, at: now))
            }
            used[key] = use
        }
        return crossed
    }

    /// Takes in `total`, what every instance sharing the budget has used of budget `budget` of
    /// `tenant` in the period that starts at `periodStart` (as another store counted it): the
    /// larger of it and what this ledger counted stands. A total for a past period changes nothing.
    public mutating func adopt(_ total: Double, tenant: String, budget: String, periodStart: Int64) {
        guard total.isFinite, total >= 0, let known = budgets[tenant]?.first(where: { $0.name == budget }) else { return }
        let key = Key(tenant: tenant, budget: budget)
        var use = current(key, periodStart: periodStart)
        guard use.periodStart == periodStart else { return }
        use.amount = max(use.amount, min(total, Budget.largestAmount * 2))
        if use.amount >= known.softShare * known.amount.limit { use.softTold = true }
        used[key] = use
    }

    /// Every budget's status at `now`, by tenant then budget name.
    public func statuses(at now: Double) -> [BudgetStatus] {
        budgets.keys.sorted().flatMap { tenant in
            budgets[tenant]!.map { budget in
                let start = budget.period.bounds(containing: now).start
                return status(tenant, budget, current(Key(tenant: tenant, budget: budget.name), periodStart: start), at: now)
            }
        }
    }

    // MARK: Keeping

    /// What a ledger has counted, to keep in a file and restore after a restart.
    public struct State: Hashable, Sendable, Codable {
        /// One budget's use in one period.
        public struct Entry: Hashable, Sendable, Codable {
            /// The tenant.
            public var tenant: String
            /// The budget's name (``Budget/name``).
            public var budget: String
            /// Seconds since 1970 at which the period began.
            public var periodStart: Int64
            /// What was used in it.
            public var used: Double
        }

        /// The entries, by tenant then budget.
        public var entries: [Entry]
    }

    /// What this ledger has counted.
    public var state: State {
        State(entries: used.keys.sorted { ($0.tenant, $0.budget) < ($1.tenant, $1.budget) }.map { key in
            State.Entry(tenant: key.tenant, budget: key.budget, periodStart: used[key]!.periodStart, used: used[key]!.amount)
        })
    }

    /// Restores what `state` counted, for the budgets this ledger has (others, and nonsense, are passed over).
    public mutating func restore(_ state: State) {
        for entry in state.entries {
            adopt(entry.used, tenant: entry.tenant, budget: entry.budget, periodStart: entry.periodStart)
        }
    }

    // MARK: Reading

    private func current(_ key: Key, periodStart: Int64) -> Use {
        guard let use = used[key], use.periodStart >= periodStart else { return Use(periodStart: periodStart, amount: 0, softTold: false) }
        return use
    }

    private func amount(_ tenant: String, _ budget: Budget, periodStart: Int64) -> Double {
        let use = current(Key(tenant: tenant, budget: budget.name), periodStart: periodStart)
        return use.periodStart == periodStart ? use.amount : 0
    }

    private func status(_ tenant: String, _ budget: Budget, _ use: Use, at now: Double) -> BudgetStatus {
        let (start, end) = budget.period.bounds(containing: now)
        let spent = use.periodStart == start ? use.amount : 0
        return BudgetStatus(tenant: tenant, budget: budget.name, period: budget.period, limit: budget.amount.limit, used: spent,
                            softShare: budget.softShare, periodStart: start, resetsAt: end)
    }

    /// `value` as the budget counts it: a spend to two decimals (four below 1), tokens whole.
    static func describe(_ value: Double, of amount: Budget.Amount) -> String {
        switch amount {
        case .tokens: return "\(Int64(value.rounded(.down))) tokens"
        case .spend:
            let places = value < 1 ? 10_000.0 : 100.0
            return "\((value * places).rounded() / places)"
        }
    }
}

extension Budget.Period {
    /// `daily`, `monthly`.
    var adjective: String {
        switch self {
        case .day: "daily"
        case .month: "monthly"
        }
    }
}
