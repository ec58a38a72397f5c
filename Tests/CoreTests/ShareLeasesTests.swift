import HeadroomCore
import Testing

@Suite("Share leases")
struct ShareLeasesTests {
    let two = ShareLeases.Rules(expectedInstances: 2)
    let half = ShareLeases.whole / 2

    @Test("At the start each instance gets an equal part, counting those not yet heard from")
    func startsEqual() {
        var leases = ShareLeases()
        #expect(leases.renew("a", holding: 0, occupancy: 0, wantsMore: true, now: 0, rules: two) == half)
        #expect(leases.renew("b", holding: 0, occupancy: 0, wantsMore: true, now: 100, rules: two) == half)
        #expect(leases.renew("a", holding: half, occupancy: half, wantsMore: true, now: 1_000, rules: two) == half)
    }

    @Test("Alone after the start, an instance with work waiting gets the whole; a newcomer only what is free, growing as the first's charges leave")
    func newcomerWaitsForCharges() {
        var leases = ShareLeases()
        _ = leases.renew("a", holding: 0, occupancy: 0, wantsMore: true, now: 0, rules: two)
        // The start has passed (10 s lease + 60 s window): "b" was never heard from.
        #expect(leases.renew("a", holding: half, occupancy: half, wantsMore: true, now: 70_000, rules: two) == ShareLeases.whole)
        // "b" arrives: "a" holds the whole and its windows 900,000 of it.
        #expect(leases.renew("b", holding: 0, occupancy: 0, wantsMore: true, now: 71_000, rules: two) == 0)
        // "a" renews: its fair part is half, lowered at once.
        #expect(leases.renew("a", holding: ShareLeases.whole, occupancy: 900_000, wantsMore: true, now: 72_000, rules: two) == half)
        // "b" gets what "a" does not use: 100,000, then more as "a"'s charges leave.
        #expect(leases.renew("b", holding: 0, occupancy: 0, wantsMore: true, now: 73_000, rules: two) == 100_000)
        _ = leases.renew("a", holding: half, occupancy: 700_000, wantsMore: true, now: 74_000, rules: two)
        #expect(leases.renew("b", holding: 100_000, occupancy: 100_000, wantsMore: true, now: 75_000, rules: two) == 300_000)
        _ = leases.renew("a", holding: half, occupancy: 400_000, wantsMore: true, now: 76_000, rules: two)
        #expect(leases.renew("b", holding: 300_000, occupancy: 300_000, wantsMore: true, now: 77_000, rules: two) == half)
    }

    @Test("An instance without work keeps what it uses and a quarter more (a tenth of an equal part at least); the busy one takes the rest")
    func idleKeepsItsUse() {
        let three = ShareLeases.Rules(expectedInstances: 3)
        var leases = ShareLeases()
        for (name, now) in [("a", 0), ("b", 1), ("c", 2)] {
            _ = leases.renew(name, holding: 0, occupancy: 0, wantsMore: false, now: Int64(now), rules: three)
        }
        let margin = three.equalPart / 10
        #expect(leases.renew("b", holding: 0, occupancy: 0, wantsMore: false, now: 80_000, rules: three) == margin)
        #expect(leases.renew("c", holding: 0, occupancy: 200_000, wantsMore: false, now: 80_001, rules: three) == 250_000)
        #expect(leases.renew("a", holding: 0, occupancy: 0, wantsMore: true, now: 80_002, rules: three) == ShareLeases.whole - margin - 250_000)
    }

    @Test("A lapsed lease counts until a window has passed, then is forgotten")
    func lapsedLeaseCountsForAWindow() {
        var leases = ShareLeases()
        _ = leases.renew("a", holding: 0, occupancy: 0, wantsMore: true, now: 0, rules: two)
        _ = leases.renew("b", holding: 0, occupancy: 0, wantsMore: true, now: 0, rules: two)
        // "b" goes silent at 0 s: its lease lapses at 10 s and counts until 70 s.
        #expect(leases.renew("a", holding: half, occupancy: half, wantsMore: true, now: 69_999, rules: two) == half)
        #expect(leases.holders["b"] != nil)
        #expect(leases.renew("a", holding: half, occupancy: half, wantsMore: true, now: 70_000, rules: two) == ShareLeases.whole)
        #expect(leases.holders["b"] == nil)
    }

    @Test("After the record starts again, no instance gets more than it held or an equal part")
    func restartIsConservative() {
        var leases = ShareLeases()
        // "a" held 800,000 before the store lost its record: it keeps it, no more.
        #expect(leases.renew("a", holding: 800_000, occupancy: 800_000, wantsMore: true, now: 0, rules: two) == half)
        // With three expected, one that held 200,000 gets its equal part (333,333) and no more, though nothing else is heard of.
        var fresh = ShareLeases()
        let three = ShareLeases.Rules(expectedInstances: 3)
        #expect(fresh.renew("a", holding: 200_000, occupancy: 200_000, wantsMore: true, now: 0, rules: three) == 333_333)
        // "b" is idle: "a" could have two thirds of the whole less b's tenth, but gets an equal part until the start has passed.
        _ = fresh.renew("b", holding: 0, occupancy: 0, wantsMore: false, now: 1_000, rules: three)
        #expect(fresh.renew("a", holding: 333_333, occupancy: 333_333, wantsMore: true, now: 2_000, rules: three) == 333_333)
        #expect(fresh.renew("a", holding: 333_333, occupancy: 333_333, wantsMore: true, now: 70_000, rules: three) == ShareLeases.whole - 33_333)
    }

    @Test("A hold one instance reports is told to all until it ends")
    func holdsSpread() {
        var leases = ShareLeases()
        _ = leases.renew("a", holding: 0, occupancy: 0, wantsMore: true, heldUntil: 5_000, now: 1_000, rules: two)
        _ = leases.renew("b", holding: 0, occupancy: 0, wantsMore: true, heldUntil: 3_000, now: 1_100, rules: two)
        #expect(leases.heldUntil == 5_000)
    }

    @Test("What the instances hold and use together never exceeds the whole", arguments: 1 ... 20)
    func neverOverTheWhole(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let rules = ShareLeases.Rules(expectedInstances: 3, leaseMilliseconds: 3_000, windowMilliseconds: 20_000)
        let names = ["a", "b", "c", "d"]
        // Each instance's share and what it uses: use rises at most to its share, and falls as charges leave.
        var share = [String: Int](), used = [String: Int](), lastRenewal = [String: Int64]()
        var leases = ShareLeases()
        var now: Int64 = 0
        for _ in 0 ..< 2_000 {
            now += Int64(random.next() % 700)
            let name = names[Int(random.next() % 4)]
            // An instance's lease runs out without a renewal: it holds nothing new beyond it.
            if let last = lastRenewal[name], now >= last + rules.leaseMilliseconds { share[name] = 0 }
            let granted = leases.renew(name, holding: share[name, default: 0], occupancy: used[name, default: 0],
                                       wantsMore: random.next() % 3 != 0, now: now, rules: rules)
            share[name] = granted
            lastRenewal[name] = now
            // Between renewals: each instance sends up to its share, or its charges leave.
            for other in names {
                let cap = share[other, default: 0]
                let current = used[other, default: 0]
                used[other] = random.next() % 2 == 0 ? max(current, Int(random.next() % UInt64(cap + 1))) : current / 2
                if current > cap { used[other] = min(current, used[other]!) }
            }
            let total = names.reduce(0) { $0 + max(share[$1, default: 0], used[$1, default: 0]) }
            #expect(total <= ShareLeases.whole, "at \(now) ms the instances hold \(total)")
        }
    }
}
