import HeadroomCore
import Testing

/// Headers are evidence, not orders: whatever a server's rate-limit headers say,
/// a deployment with servable work waiting is idle for at most its shortest
/// window unless a 429 says otherwise.
@Suite("Server views cannot starve a deployment")
struct ServerViewPropertyTests {
    static let schemes: [(String, RateWindows)] = [("minute", .perMinute), ("minute+10s", .azure), ("minute+10s+1s", .subWindows(.seconds(10), .seconds(1)))]
    static let cases = schemes.indices.flatMap { scheme in (1 ... 6).map { (scheme, UInt64($0)) } }

    @Test("No random header stream idles a deployment longer than its shortest window", arguments: cases)
    func noStarvation(_ scheme: Int, _ seed: UInt64) throws {
        let windows = Self.schemes[scheme].1
        let shortest = windows.all.map(\.nanoseconds).min()!
        // The ledger's own limits never bind: any wait comes from the headers.
        let deployment = try Deployment(id: "d", provider: .azureOpenAI, requestsPerMinute: 1_000_000_000, tokensPerMinute: 1_000_000_000,
                                        maxConcurrency: 3, windows: windows)
        var scheduler = try makeScheduler([deployment])
        var random = SeededRandom(seed: seed)
        var events = EventQueue<Event>()
        let jobCount = 400
        for index in 0 ..< jobCount { events.push(Int64(index) * 50_000_000, .arrival) }
        events.push(1_000_000_000, .headers)

        var inFlight: [JobID: Int] = [:]
        var queued = 0, finished = 0, dispatches = 0
        // When the deployment last dispatched, or last became able to (work waiting and a free slot).
        var lastProgress: Int64 = 0
        var longestIdle: Int64 = 0
        var adopted = 0
        while let (now, event) = events.pop() {
            // Over the stretch since the last event, the deployment had work and a free slot: was it idle too long?
            if queued > 0 && inFlight.count < 3 { longestIdle = max(longestIdle, now - lastProgress) }
            let instant = Instant(nanoseconds: now)
            var actions: [SchedulerAction]
            switch event {
            case .arrival:
                let submitted = scheduler.submit(job(Int.random(in: 10 ... 400, using: &random), Int.random(in: 10 ... 400, using: &random)), now: instant)
                actions = submitted.actions
                queued += 1
            case .completion(let id):
                inFlight[id] = nil
                let headers = Self.randomHeaders(&random)
                actions = scheduler.complete(id, outcome: ok, rateLimits: headers, now: instant)
                if scheduler.snapshot(now: instant).deployments[0].serverView != nil { adopted += 1 }
            case .headers:
                actions = scheduler.observe(Self.randomHeaders(&random), for: "d", now: instant)
                if finished < jobCount { events.push(now + Int64.random(in: 100_000_000 ... 8_000_000_000, using: &random), .headers) }
            case .wake:
                actions = scheduler.tick(now: instant)
            }
            let couldProgress = queued > 0 && inFlight.count < 3
            for action in actions {
                switch action {
                case .dispatch(let id, _, _):
                    queued -= 1
                    dispatches += 1
                    inFlight[id] = 1
                    lastProgress = now
                    events.push(now + Int64.random(in: 100_000_000 ... 4_000_000_000, using: &random), .completion(id))
                case .finish:
                    finished += 1
                case .scheduleWakeup(let at):
                    events.push(max(now, at.nanoseconds), .wake)
                case .deploymentDisabled:
                    Issue.record("no deployment should leave rotation here")
                }
            }
            // Able to progress from now on, but was not before: the idle stretch starts now.
            if !couldProgress && queued > 0 && inFlight.count < 3 { lastProgress = now }
        }
        #expect(finished == jobCount)
        #expect(dispatches == jobCount)
        #expect(adopted > 10, "the headers should often hold the deployment back")
        // The scheduler rounds a wake-up due now to a millisecond later.
        #expect(longestIdle <= shortest + 1_000_000, "idle for \(Double(longestIdle) / 1e9) s with work waiting")
    }

    enum Event { case arrival, completion(JobID), headers, wake }

    /// Headers of every kind: low and zero remainders, resets absent, short, long and absurd, either refill.
    static func randomHeaders(_ random: inout SeededRandom) -> RateLimitObservation {
        func reset() -> Duration? {
            switch Int.random(in: 0 ..< 4, using: &random) {
            case 0: nil
            case 1: .milliseconds(Int64.random(in: 0 ... 2_000, using: &random))
            case 2: .seconds(Int64.random(in: 0 ... 100, using: &random))
            default: .seconds(Int64.random(in: 1_000 ... 1_000_000, using: &random))
            }
        }
        func count(_ largest: Int) -> Int? {
            switch Int.random(in: 0 ..< 10, using: &random) {
            case 0: nil
            case 1: 0
            default: Int.random(in: 1 ... largest, using: &random)
            }
        }
        // Drawn in this order, so that each seed makes the headers it always made.
        let remainingRequests = count(3), remainingTokens = count(600)
        let requestLimit: Int? = Bool.random(using: &random) ? 10 : nil
        let tokenLimit: Int? = Bool.random(using: &random) ? Int.random(in: 1 ... 100_000, using: &random) : nil
        let requestsResetIn = reset(), tokensResetIn = reset()
        return RateLimitObservation(
            requests: remainingRequests.map { .init(remaining: $0, limit: requestLimit, resetIn: requestsResetIn) },
            tokens: remainingTokens.map { .init(remaining: $0, limit: tokenLimit, resetIn: tokensResetIn) },
            refill: Bool.random(using: &random) ? .atReset : .continuous
        )
    }
}
