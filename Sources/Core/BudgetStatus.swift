/// Where one budget of one tenant stands in its current period: for `/stats`, `/metrics` and logs.
public struct BudgetStatus: Hashable, Sendable, Codable {
    /// The tenant.
    public var tenant: String
    /// The budget's name (``Budget/name``: `day-spend`, `month-tokens`).
    public var budget: String
    /// Its period.
    public var period: Budget.Period
    /// What it allows a period.
    public var limit: Double
    /// What is used of it in this period.
    public var used: Double
    /// The share past which it is reported as nearly spent.
    public var softShare: Double
    /// Seconds since 1970 at which this period began.
    public var periodStart: Int64
    /// Seconds since 1970 at which this period ends and the budget resets.
    public var resetsAt: Int64

    /// The share used (may pass 1: requests in flight when it ran out still finish).
    public var share: Double { used / limit }
    /// Past its soft share.
    public var isNearlySpent: Bool { used >= softShare * limit }
    /// Spent: its tenant's requests are refused until ``resetsAt``.
    public var isSpent: Bool { used >= limit }
    /// When it resets, as an ISO 8601 instant in UTC.
    public var resetsAtText: String { CivilCalendar.iso8601(resetsAt) }
}
