@testable import HeadroomCore
import Testing

@Suite("Capacity ledger")
struct CapacityLedgerTests {
    static let second = Duration.seconds(1).nanoseconds

    static func ledger(tokensPerMinute: Int, requestsPerMinute: Int = 6_000, windows: RateWindows,
                       adaptation: Adaptation = Adaptation()) throws -> CapacityLedger {
        let deployment = try Deployment(id: "d", provider: .azureOpenAI, requestsPerMinute: requestsPerMinute,
                                        tokensPerMinute: tokensPerMinute, windows: windows)
        return CapacityLedger(deployment: deployment, utilization: 1, adaptation: adaptation)
    }

    /// What judging in full must answer when a request may go now, worked out
    /// from the windows alone: `nil` if it may not (or if a retry-after or the
    /// server's view is in force, which this does not model).
    static func admittedHeadroom(_ ledger: CapacityLedger, tokens: Int, now: Int64) -> Double? {
        guard now >= ledger.blockedUntil, ledger.serverTokens == nil, ledger.serverRequests == nil else { return nil }
        var least = 1.0
        for window in ledger.windows {
            let empty = window.tokens == 0 && window.requests == 0
            guard empty || (window.tokens + tokens <= window.tokenLimit && window.requests < window.requestLimit) else { return nil }
            least = min(least, Double(window.tokenLimit - window.tokens - tokens) * window.tokenReciprocal,
                        Double(window.requestLimit - window.requests - 1) * window.requestReciprocal)
        }
        return max(0, least)
    }

    @Test("The admission summary gives exactly the headroom that the windows give, whenever it answers",
          arguments: [RateWindows.perMinute, .azure, .subWindows(.seconds(10), .seconds(1))])
    func summaryAgreesWithWindows(windows: RateWindows) throws {
        var ledger = try Self.ledger(tokensPerMinute: 600_000, requestsPerMinute: 300, windows: windows)
        var random = SeededRandom(seed: 11)
        var positions: [Int] = []
        var now: Int64 = 0
        var answered = 0, declined = 0
        for step in 0 ..< 4_000 {
            now += Int64(random.next() % UInt64(2 * Self.second))
            for _ in 0 ..< 4 {
                let tokens = Int(random.next() % 40_000)
                let quick = ledger.summary.headroom(tokens: tokens, now: now)
                var advanced = ledger
                advanced.advance(to: now)
                let expected = Self.admittedHeadroom(advanced, tokens: tokens, now: now)
                if let quick {
                    answered += 1
                    #expect(quick == expected, "step \(step): \(tokens) tokens")
                    #expect(advanced.judge(tokens: tokens, now: now) == .admitted(headroom: quick))
                } else if expected != nil {
                    declined += 1
                }
            }
            ledger.advance(to: now)
            switch random.next() % 50 {
            case 0 ..< 30:
                positions.append(ledger.reserve(tokens: Int(random.next() % 10_000), now: now))
            case 30 ..< 48 where !positions.isEmpty:
                let position = positions.remove(at: Int(random.next() % UInt64(positions.count)))
                ledger.settle(position, tokens: Int(random.next() % 10_000), requests: 1, now: now)
            case 48:
                ledger.throttle(now: now, wait: Int64(random.next() % UInt64(5 * Self.second)),
                                named: random.next() % 2 == 0)
            default:
                let remaining = Int(random.next() % 600_000)
                ledger.observe(RateLimitObservation(tokens: .init(remaining: remaining, limit: 600_000, resetIn: .seconds(20))),
                               seenThrough: nil, admitted: false, now: now, requestsPerMinute: 300, tokensPerMinute: 600_000)
            }
        }
        // The summary covers up to two windows; there both branches ran: it answered
        // often, and left some requests that may go to the full judgement.
        if windows.all.count <= 2 {
            #expect(answered > 4_000)
            #expect(declined > 0)
        } else {
            #expect(answered == 0)
        }
    }

    @Test("A request told to wait is told the same until the ledger changes, and admitted once a settlement frees room")
    func waitsAreForgottenOnChange() throws {
        var ledger = try Self.ledger(tokensPerMinute: 1_000, windows: .perMinute)
        let position = ledger.reserve(tokens: 900, now: 0)
        let minute = Duration.seconds(60).nanoseconds
        #expect(ledger.judge(tokens: 200, now: Self.second) == .waits(until: minute))
        #expect(ledger.judge(tokens: 200, now: 2 * Self.second) == .waits(until: minute))
        #expect(ledger.judge(tokens: 100, now: 2 * Self.second) == .admitted(headroom: 0))
        ledger.settle(position, tokens: 300, requests: 1, now: 3 * Self.second)
        #expect(ledger.judge(tokens: 200, now: 3 * Self.second) == .admitted(headroom: 0.5))
    }

    @Test("A request told to wait is refused until the instant told and admitted from then on, even one larger than a window's limit",
          arguments: [(RateWindows.perMinute, 0.0), (.azure, 0), (.perMinute, 0.1), (.azure, 0.25)])
    func waitsAreExact(windows: RateWindows, reserve: Double) throws {
        var ledger = try Self.ledger(tokensPerMinute: 60_000, requestsPerMinute: 60, windows: windows)
        var random = SeededRandom(seed: 5)
        var positions: [Int] = []
        var now: Int64 = 0
        var waits = 0
        func admits(_ ledger: CapacityLedger, _ tokens: Int, at instant: Int64) -> Bool {
            var ledger = ledger
            ledger.advance(to: instant)
            if case .admitted = ledger.judge(tokens: tokens, keeping: reserve, now: instant) { return true }
            return false
        }
        for step in 0 ..< 3_000 {
            now += Int64(random.next() % UInt64(Self.second))
            ledger.advance(to: now)
            // Up to twice the minute's limit: a request over a window's limit may go only once that window is empty.
            let tokens = Int(random.next() % 120_000)
            if case .waits(let until) = ledger.judge(tokens: tokens, keeping: reserve, now: now) {
                waits += 1
                #expect(!admits(ledger, tokens, at: until - 1), "step \(step): \(tokens) tokens, told \(until)")
                #expect(admits(ledger, tokens, at: until), "step \(step): \(tokens) tokens, told \(until)")
            } else {
                positions.append(ledger.reserve(tokens: tokens, now: now))
            }
            if !positions.isEmpty && random.next() % 3 == 0 {
                // Settled as served, or to nothing, as a throttled request is.
                let position = positions.remove(at: Int(random.next() % UInt64(positions.count)))
                let served = random.next() % 2 == 0
                ledger.settle(position, tokens: served ? Int(random.next() % 20_000) : 0, requests: served ? 1 : 0, now: now)
            }
        }
        #expect(waits > 500)
    }

    /// Limits that a 429 does not shrink, so that only the windows decide.
    static let fixedLimits: Adaptation = {
        var adaptation = Adaptation()
        adaptation.isEnabled = false
        return adaptation
    }()

    /// One case of a 429 on a full 10-second window, and when its charge is then let go.
    struct Throttle: Sendable, CustomTestStringConvertible {
        var label: String
        var crossing: Bool
        var named: Bool
        var waitSeconds: Double
        var freedAtSeconds: Double
        var testDescription: String { label }
    }

    @Test("A 429 from fixed windows names their boundary: charges leave at the window's end plus a margin, otherwise a window after they were sent",
          arguments: [
              Throttle(label: "fixed windows, the provider's wait", crossing: true, named: true, waitSeconds: 4, freedAtSeconds: 10.2),
              Throttle(label: "the scheduler's default wait", crossing: true, named: false, waitSeconds: 4, freedAtSeconds: 15),
              Throttle(label: "a wait longer than the window (the minute's)", crossing: true, named: true, waitSeconds: 12, freedAtSeconds: 18),
              Throttle(label: "windows that do not admit crossing", crossing: false, named: true, waitSeconds: 4, freedAtSeconds: 15),
          ])
    func namedBoundaries(_ case: Throttle) throws {
        var windows = RateWindows.azure
        windows.admitsCrossing = `case`.crossing
        var ledger = try Self.ledger(tokensPerMinute: 60_000, windows: windows, adaptation: Self.fixedLimits)
        func at(_ seconds: Double) -> Int64 { Int64(seconds * 1e9) }
        _ = ledger.reserve(tokens: 10_000, now: at(5))
        ledger.throttle(now: at(6), wait: at(`case`.waitSeconds), named: `case`.named)
        let freed = at(`case`.freedAtSeconds)
        #expect(ledger.judge(tokens: 100, now: at(7)) == .waits(until: freed))
        #expect(ledger.judge(tokens: 100, now: freed) != .waits(until: freed))
    }

    @Test("Once the boundaries are known, a charge sent within the margin before one counts in the window after it")
    func chargesNearABoundaryCountOnBothSides() throws {
        var windows = RateWindows.azure
        windows.admitsCrossing = true
        var ledger = try Self.ledger(tokensPerMinute: 60_000, windows: windows, adaptation: Self.fixedLimits)
        let second = Self.second
        _ = ledger.reserve(tokens: 10_000, now: 5 * second)
        ledger.throttle(now: 6 * second, wait: 4 * second, named: true)
        // Sent 100 ms before the boundary at 20 s: it may reach the provider after it.
        _ = ledger.reserve(tokens: 10_000, now: 19_900_000_000)
        #expect(ledger.judge(tokens: 100, now: 21 * second) == .waits(until: 30_200_000_000))
        // Sent 300 ms before the boundary at 40 s: outside the margin, it leaves at 40.2 s.
        _ = ledger.reserve(tokens: 10_000, now: 39_700_000_000)
        #expect(ledger.judge(tokens: 100, now: 39_800_000_000) == .waits(until: 40_200_000_000))
    }

    @Test("A window's cutoff tells exactly the charges that have left it, sliding or fixed", arguments: [nil, Int64(0), 3_700_000_000, -12_345])
    func cutoffAgreesWithLeaving(boundary: Int64?) {
        var random = SeededRandom(seed: 3)
        for length in [Self.second, 10 * Self.second, 60 * Self.second] {
            var window = CapacityLedger.Window(length: length, baseTokens: 1, baseRequests: 1, tokenLimit: 1, requestLimit: 1, start: 0)
            window.boundary = boundary
            for _ in 0 ..< 2_000 {
                let sent = Int64(random.next() % UInt64(200 * Self.second))
                let now = sent + Int64(random.next() % UInt64(2 * length + Self.second))
                #expect((sent <= window.cutoff(at: now)) == (now >= window.leaves(sentAt: sent)), "sent \(sent), now \(now), length \(length)")
            }
        }
    }

    @Test("A charge sent before the earliest send time still counting at an instant has left the window by then, sliding or fixed",
          arguments: [nil, Int64(0), 3_700_000_000, -12_345])
    func earliestSendCountingBoundsLeaving(boundary: Int64?) {
        var random = SeededRandom(seed: 5)
        for length in [Self.second, 10 * Self.second, 60 * Self.second] {
            var window = CapacityLedger.Window(length: length, baseTokens: 1, baseRequests: 1, tokenLimit: 1, requestLimit: 1, start: 0)
            window.boundary = boundary
            for _ in 0 ..< 2_000 {
                let instant = Int64(random.next() % UInt64(200 * Self.second))
                let earliest = window.earliestSendCounting(at: instant)
                let sent = earliest - 1 - Int64(random.next() % UInt64(length))
                #expect(window.leaves(sentAt: sent) <= instant, "sent \(sent), instant \(instant), length \(length)")
                // Sliding, it is exact: a charge sent then still counts.
                if boundary == nil { #expect(window.leaves(sentAt: earliest) > instant) }
            }
        }
    }

    @Test("A backfill room remembered is the room found afresh, also once a window the claimant outlasts starts to count")
    func rememberedRoomsAgreeWithFreshOnes() throws {
        let deployment = try Deployment(id: "d", provider: .azureOpenAI, requestsPerMinute: 6_000, tokensPerMinute: 60_000, windows: .azure)
        func ledger(remembering: Bool) -> CapacityLedger {
            CapacityLedger(deployment: deployment, utilization: 1, adaptation: Self.fixedLimits, remembersWaits: remembering)
        }
        let second = Self.second
        // 1,000 tokens sent at 0; a claimant of 5,000 at 15 s. At 1 s the ten-second window is
        // past by then (a charge sent now leaves it at 11 s): room 9,000, what it holds now.
        // At 6 s a charge would still count at 15 s, next to the claimant: room 5,000.
        var remembering = ledger(remembering: true)
        _ = remembering.reserve(tokens: 1_000, now: 0)
        #expect(remembering.backfillRoom(now: second, besides: 5_000, at: 15 * second) == 9_000)
        #expect(remembering.backfillRoom(now: 6 * second, besides: 5_000, at: 15 * second) == 5_000)

        // Random charges, settlements and 429s, the same questions asked of both.
        var random = SeededRandom(seed: 11)
        var afresh = ledger(remembering: false)
        remembering = ledger(remembering: true)
        var now: Int64 = 0
        var sent: [Int] = []
        let claimants = [(tokens: 2_000, wait: 4 * second), (tokens: 6_000, wait: 14 * second), (tokens: 500, wait: 40 * second)]
        for step in 0 ..< 3_000 {
            now += Int64(random.next() % UInt64(second))
            switch random.next() % 10 {
            case 0 ..< 3:
                let tokens = 100 + Int(random.next() % 3_000)
                let position = remembering.reserve(tokens: tokens, now: now)
                #expect(afresh.reserve(tokens: tokens, now: now) == position)
                sent.append(position)
            case 3 where !sent.isEmpty:
                let position = sent.remove(at: Int(random.next() % UInt64(sent.count)))
                let tokens = Int(random.next() % 3_000)
                remembering.settle(position, tokens: tokens, requests: 1, now: now)
                afresh.settle(position, tokens: tokens, requests: 1, now: now)
            case 4 where random.next() % 40 == 0:
                remembering.throttle(now: now, wait: 3 * second, named: true)
                afresh.throttle(now: now, wait: 3 * second, named: true)
            default:
                let claimant = claimants[Int(random.next() % UInt64(claimants.count))]
                let at = (now / claimant.wait + 1) * claimant.wait
                #expect(remembering.backfillRoom(now: now, besides: claimant.tokens, at: at) == afresh.backfillRoom(now: now, besides: claimant.tokens, at: at),
                        "step \(step) at \(now)")
            }
        }
    }
}
