import HeadroomCore
import Testing

@Suite("Share keeper")
struct ShareKeeperTests {
    let rules = ShareLeases.Rules(expectedInstances: 4, leaseMilliseconds: 10_000, windowMilliseconds: 60_000)

    @Test("Grants become shares once each, and holds others reported become holds")
    func grantsBecomeShares() {
        var keeper = ShareKeeper(rules: rules, startedAt: at(0))
        let changes = keeper.renewed([.init(deployment: "a", share: 600_000), .init(deployment: "b", share: 0, holdFor: .seconds(2))], at: at(1))
        // "b" has no share already: only its hold is news.
        #expect(changes == [.share(0.6, "a"), .hold("b", .seconds(2))])
        #expect(keeper.renewed([.init(deployment: "a", share: 600_000)], at: at(2)) == [])
        #expect(keeper.state == .shared && keeper.renewals == 2 && keeper.lastContact == at(2))
    }

    @Test("Silent store: the shares hold until the lease lapses, then no more than an equal part, then the equal part after a window")
    func fallsBackInSteps() {
        var keeper = ShareKeeper(rules: rules, startedAt: at(0))
        _ = keeper.renewed([.init(deployment: "big", share: 700_000), .init(deployment: "small", share: 100_000)], at: at(1))
        #expect(keeper.failed(["big", "small"], at: at(10.9)) == ([], false))
        let lapsed = keeper.failed(["big", "small"], at: at(11))
        #expect(lapsed.changes == [.share(0.25, "big")] && lapsed.fellBack)
        #expect(keeper.failed(["big", "small"], at: at(70)) == ([], false))
        #expect(keeper.failed(["big", "small"], at: at(71)).changes == [.share(0.25, "small")])
        #expect(keeper.state == .fallback && keeper.fallbacks == 1 && keeper.failures == 4)
        // The store answers again: back to its grants.
        #expect(keeper.renewed([.init(deployment: "big", share: 700_000)], at: at(72)) == [.share(0.7, "big")])
        #expect(keeper.state == .shared)
    }

    @Test("An instance that never reached the store sends nothing until a lease and a window have passed")
    func coldStart() {
        var keeper = ShareKeeper(rules: rules, startedAt: at(5))
        #expect(keeper.failed(["a"], at: at(15)).changes == [])
        #expect(keeper.failed(["a"], at: at(75)).changes == [.share(0.25, "a")])
    }

    @Test("Reports: the share and what the windows hold in millionths, wanting more only with work waiting on a deployment taken to half its share")
    func reports() throws {
        var scheduler = try makeScheduler([server("a", tpm: 1_000), server("b", tpm: 1_000)])
        _ = scheduler.share(0.5, for: "a", now: at(0))
        _ = scheduler.share(0.5, for: "b", now: at(0))
        _ = scheduler.hold("b", until: at(3), now: at(0))
        // 300 of a's 500 taken; the next waits.
        _ = scheduler.submit(job(150, 150), now: at(1))
        _ = scheduler.submit(job(150, 150), now: at(1))
        let reports = ShareKeeper.reports(for: scheduler.snapshot(now: at(1)))
        #expect(reports == [
            .init(deployment: "a", holding: 500_000, occupancy: 300_000, wantsMore: true),
            .init(deployment: "b", holding: 500_000, occupancy: 0, wantsMore: false, holdFor: .seconds(2)),
        ])
    }
}
