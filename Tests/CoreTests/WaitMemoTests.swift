import Testing
@testable import HeadroomCore

@Suite("Wait memo")
struct WaitMemoTests {
    @Test("A wait told is told again until it lapses or the ledger changes, for each of the last eight charges")
    func remembersUntilLapsedOrForgotten() {
        var memo = WaitMemo()
        #expect(memo.wait(tokens: 100, now: 0) == nil)
        for charge in 1 ... 8 { memo.remember(tokens: charge * 100, until: Int64(charge) * 1_000) }
        // Every charge is found, the oldest too.
        for charge in 1 ... 8 { #expect(memo.wait(tokens: charge * 100, now: 0) == Int64(charge) * 1_000) }
        // A wait that has lapsed is not told.
        #expect(memo.wait(tokens: 100, now: 1_000) == nil)
        // A ninth charge takes the oldest one's place.
        memo.remember(tokens: 900, until: 9_000)
        #expect(memo.wait(tokens: 900, now: 1_500) == 9_000 && memo.wait(tokens: 200, now: 1_500) == 2_000)
        // Once 200's wait has lapsed, a new one for it is told.
        memo.remember(tokens: 200, until: 5_000)
        #expect(memo.wait(tokens: 200, now: 2_500) == 5_000)
        // A change forgets everything told before it, and what is told after is found.
        memo.forget()
        #expect(memo.wait(tokens: 900, now: 1_500) == nil)
        memo.remember(tokens: 300, until: 7_000)
        #expect(memo.wait(tokens: 300, now: 0) == 7_000 && memo.wait(tokens: 400, now: 0) == nil && memo.wait(tokens: 800, now: 0) == nil)
    }
}
