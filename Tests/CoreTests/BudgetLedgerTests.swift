@testable import HeadroomCore
import Testing

@Suite("Budgets")
struct BudgetLedgerTests {
    /// 2026-12-07T12:00:00Z.
    static let noon = 1_796_601_600.0 + 43_200

    @Test("A period runs from midnight UTC to midnight UTC, a day or a calendar month, leap years and all",
          arguments: [
              (Budget.Period.day, noon, Int64(1_796_601_600), Int64(1_796_688_000)),
              (.day, 1_796_601_599.5, 1_796_515_200, 1_796_601_600),
              (.month, noon, 1_796_083_200, 1_798_761_600),
              (.month, 1_835_438_400, 1_832_976_000, 1_835_481_600),
              (.month, -1_468_800, -2_678_400, 0),
          ])
    func periodBounds(period: Budget.Period, at seconds: Double, start: Int64, end: Int64) {
        #expect(period.bounds(containing: seconds) == (start, end))
    }

    @Test("Instants are written in ISO 8601, UTC")
    func writesInstants() {
        #expect(CivilCalendar.iso8601(1_796_688_000) == "2026-12-08T00:00:00Z")
        #expect(CivilCalendar.iso8601(1_830_297_599) == "2027-12-31T23:59:59Z")
        #expect(CivilCalendar.iso8601(0) == "1970-01-01T00:00:00Z")
    }

    @Test("A spent budget refuses its tenant's requests, naming it and when it resets, until midnight; others are untouched")
    func refusesUntilReset() throws {
        var ledger = BudgetLedger(budgets: ["search": [Budget(period: .day, amount: .spend(50))]])
        #expect(ledger.refusal(for: "search", at: Self.noon) == nil)
        _ = ledger.record(tenant: "search", cost: 49.99, tokens: 10, at: Self.noon)
        #expect(ledger.refusal(for: "search", at: Self.noon) == nil)
        _ = ledger.record(tenant: "search", cost: 0.02, tokens: 10, at: Self.noon + 1)
        let refusal = try #require(ledger.refusal(for: "search", at: Self.noon + 2))
        #expect(refusal.kind == .budgetExceeded)
        #expect(refusal.message == "Tenant 'search' has used 50.01 of its daily budget of 50.0; it resets at 2026-12-08T00:00:00Z.")
        #expect(refusal.retryAfter == .seconds(43_198))
        #expect(ledger.refusal(for: "ui", at: Self.noon) == nil)
        // A new day, a new budget.
        #expect(ledger.refusal(for: "search", at: Self.noon + 43_200) == nil)
        #expect(ledger.statuses(at: Self.noon + 43_200).map(\.used) == [0])
    }

    @Test("A token budget counts prompt and completion tokens; a spend budget counts nothing for an unpriced model or a nonsense cost")
    func countsWhatEachBudgetCounts() {
        var ledger = BudgetLedger(budgets: ["t": [Budget(period: .month, amount: .tokens(1_000)), Budget(period: .day, amount: .spend(1))]])
        _ = ledger.record(tenant: "t", cost: nil, tokens: 600, at: Self.noon)
        _ = ledger.record(tenant: "t", cost: .nan, tokens: -5, at: Self.noon)
        _ = ledger.record(tenant: "t", cost: -3, tokens: 400, at: Self.noon)
        #expect(ledger.statuses(at: Self.noon).map(\.used) == [1_000, 0])
        #expect(ledger.refusal(for: "t", at: Self.noon)?.message.contains("1000 tokens of its monthly budget of 1000 tokens") == true)
    }

    @Test("The soft share is told once a period, when it is crossed")
    func softShareToldOnce() {
        var ledger = BudgetLedger(budgets: ["t": [Budget(period: .day, amount: .spend(10), softShare: 0.5)]])
        #expect(ledger.record(tenant: "t", cost: 4, tokens: 0, at: Self.noon).isEmpty)
        let crossed = ledger.record(tenant: "t", cost: 1, tokens: 0, at: Self.noon)
        #expect(crossed.map(\.used) == [5] && crossed.first?.isNearlySpent == true && crossed.first?.isSpent == false)
        #expect(ledger.record(tenant: "t", cost: 1, tokens: 0, at: Self.noon).isEmpty)
        #expect(ledger.record(tenant: "t", cost: 6, tokens: 0, at: Self.noon + 86_400).map(\.used) == [6])
    }

    @Test("A total from elsewhere is taken when larger, for the current period only; a kept state restores what was counted")
    func adoptsAndRestores() {
        var ledger = BudgetLedger(budgets: ["t": [Budget(period: .day, amount: .spend(10))]])
        _ = ledger.record(tenant: "t", cost: 3, tokens: 0, at: Self.noon)
        let today = Budget.Period.day.bounds(containing: Self.noon).start
        ledger.adopt(2, tenant: "t", budget: "day-spend", periodStart: today)
        ledger.adopt(7, tenant: "t", budget: "day-spend", periodStart: today - 86_400)
        ledger.adopt(.infinity, tenant: "t", budget: "day-spend", periodStart: today)
        ledger.adopt(5, tenant: "other", budget: "day-spend", periodStart: today)
        #expect(ledger.statuses(at: Self.noon).map(\.used) == [3])
        ledger.adopt(9, tenant: "t", budget: "day-spend", periodStart: today)
        var restarted = BudgetLedger(budgets: ledger.budgets)
        restarted.restore(ledger.state)
        #expect(restarted.statuses(at: Self.noon) == ledger.statuses(at: Self.noon))
        #expect(restarted.statuses(at: Self.noon).map(\.used) == [9])
    }

    @Test("Budgets of nothing, of nonsense or of a soft share out of range are refused", arguments: [
        Budget(period: .day, amount: .spend(0)), Budget(period: .day, amount: .spend(.nan)), Budget(period: .month, amount: .tokens(-1)),
        Budget(period: .day, amount: .spend(2e15)), Budget(period: .day, amount: .spend(1), softShare: 0), Budget(period: .day, amount: .spend(1), softShare: 1.5),
    ])
    func validates(_ budget: Budget) {
        #expect(throws: HeadroomError.self) { try budget.validate(tenant: "t") }
    }
}
