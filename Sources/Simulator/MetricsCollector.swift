import HeadroomCore

/// Counts and times everything a run does, and turns it into a report.
///
/// The capacity bound is a fluid bound in each dimension (tokens charged as
/// the most lenient deployment charges them: prompt + `max_tokens` where all are
/// Azure's, the larger of the two where one is OpenAI's; and requests): by the horizon *H* (the last arrival)
/// the deployments can have dispatched at most
/// min over *s* of [arrived before *s* + burst + rate × (*H* − *s*)],
/// and never more than arrived, where the rate is the sum of the per-minute
/// limits and the burst the sum of each deployment's share for its shortest
/// window (a minute's limit for OpenAI's buckets, a sub-window's share for
/// Azure), less what other clients spend of the same quotas (background
/// traffic). The dimension whose bound is the smaller share of what was offered
/// binds; efficiency is what succeeded, dispatched by *H*, over that bound.
/// Goodput is the prompt and completion tokens of those same requests per
/// minute of the horizon, so every strategy is measured over the same time.
struct MetricsCollector {
    struct PerDeployment {
        var attempts = 0
        var succeeded = 0
        var throttled = 0
        var errors = 0
        var chargedTokens = 0
        var servedTokens = 0
        /// Charged in the current timeline bucket, not yet in `chargedTimeline`.
        var bucketCharged = 0
    }

    /// Successes summed for the capacity bound: their charges, their number, their tokens.
    struct Served {
        var charge = 0
        var requests = 0
        var tokens = 0

        mutating func add(_ other: Served) {
            charge += other.charge
            requests += other.requests
            tokens += other.tokens
        }
    }

    let bucket: Int64
    let tokenLimit: Double
    let requestLimit: Double
    let tokenBurst: Double
    let requestBurst: Double
    /// Whether a deployment charges OpenAI's way (the larger of prompt and `max_tokens`), the least any charges.
    let anyOpenAICharge: Bool
    var perDeployment: [PerDeployment]

    var offered = 0
    /// Requests and their charges offered to the synchronous deployments: every arrival but those
    /// routed to batch, and those again when a batch sends them back.
    var syncOffered = 0
    var offeredTokens = 0.0
    var firstArrival: Int64?
    var lastArrival: Int64 = 0
    var lastFinish: Int64 = 0
    var minTokenTerm = 0.0
    var minRequestTerm = 0.0

    var succeeded = 0
    /// Requests the response cache answered, their prompt and completion tokens, and their charge.
    var cacheAnswered = 0
    var cacheTokens = 0
    var cacheCharge = 0
    var failures: [String: Int] = [:]
    var attempts = 0
    var throttled = 0
    var retries = 0
    var transientErrors = 0
    var queueWaits: [Int64] = []
    var latencies: [Int64] = []
    /// The latencies of requests that accepted batch (deferrable), and of the others (urgent), when there are batch deployments.
    var deferrableLatencies: [Int64] = []
    var urgentLatencies: [Int64] = []
    let hasBatch: Bool
    /// What the requests served cost, when the simulation has prices.
    var cost: CostLedger?
    /// Each tenant's counts, by its position in the engine's tenants.
    var perTenant: [PerTenant] = []

    struct PerTenant {
        var offered = 0
        var served = 0
        /// Refused at arrival: a budget of its was spent.
        var refused = 0
        var servedTokens = 0
        /// Prompt and completion tokens offered, and served by requests dispatched by the last arrival
        /// (those dispatched since the latest arrival so far wait in `servedSinceArrival`, as for the capacity bound).
        var offeredTokens = 0
        var servedByArrival = 0
        var servedSinceArrival = 0
        var waits: [Int64] = []
        var latencies: [Int64] = []
        /// Prompt and completion tokens of its requests served, by the timeline bucket they ended in.
        var servedTimeline: [Int] = []
    }
    /// Whether any tenant has a request dispatched after the latest arrival so far.
    var tenantsServedSinceArrival = false
    /// Successes dispatched by the latest arrival so far, and those dispatched
    /// since: the next arrival comes after both, so it moves the second into the
    /// first. What is left in the second at the end was dispatched after the horizon.
    var servedByArrival = Served()
    var servedSinceArrival = Served()

    var inSystem = 0
    var inFlight = 0
    var chargedTimeline: [[Int]]
    var throttledTimeline: [Int] = []
    var queueTimeline: [Int] = []
    /// The timeline bucket events fall in now, and the instant it ends. Events
    /// come in time order, so the current bucket is totted up in `bucketThrottled`,
    /// `bucketQueue` and each deployment's `bucketCharged`, and written out when it ends.
    var currentBucket = 0
    var bucketEnd = Int64.min
    var bucketThrottled = 0
    var bucketQueue = 0

    init(deployments all: [SimulatedDeployment], bucket: Int64) {
        self.bucket = bucket
        hasBatch = all.contains { $0.batch != nil }
        // The bound is the synchronous deployments' capacity: a batch one has no per-minute limits.
        let deployments = all.filter { $0.batch == nil }
        // What other clients send takes its share of the limits.
        tokenLimit = deployments.reduce(0) { $0 + max(0, Double($1.endpoint.tokensPerMinute) - $1.endpoint.faults.backgroundTokensPerMinute) }
        requestLimit = deployments.reduce(0) { total, deployment in
            let faults = deployment.endpoint.faults
            return total + max(0, Double(deployment.endpoint.requestsPerMinute) - faults.backgroundTokensPerMinute / faults.backgroundRequestTokens)
        }
        anyOpenAICharge = deployments.contains { $0.endpoint.provider == .openAI }
        func burst(_ deployment: SimulatedDeployment, _ perMinute: Int) -> Double {
            guard case .azure(let seconds) = deployment.endpoint.limiter, seconds < 60 else { return Double(perMinute) }
            return Double(max(1, Int(Double(perMinute) * seconds / 60)))
        }
        tokenBurst = deployments.reduce(0) { $0 + burst($1, $1.endpoint.tokensPerMinute) }
        requestBurst = deployments.reduce(0) { $0 + burst($1, $1.endpoint.requestsPerMinute) }
        perDeployment = Array(repeating: PerDeployment(), count: all.count)
        chargedTimeline = Array(repeating: [], count: all.count)
    }

    private func minutes(_ nanoseconds: Int64) -> Double { Double(nanoseconds) / 60e9 }

    /// A request's charge in the bound's unit: the least any deployment charges it.
    private func boundCharge(prompt: Int, maxTokens: Int) -> Int {
        anyOpenAICharge ? max(prompt, maxTokens) : prompt.addingReportingOverflow(maxTokens).partialValue
    }

    /// A request arrived at `time`, for the synchronous deployments unless it went to batch (`deferred`).
    mutating func arrived(_ request: SimulatedRequest, at time: Int64, deferred: Bool = false) {
        let start = firstArrival ?? time
        firstArrival = start
        lastArrival = time
        if !deferred { offerSynchronously(prompt: request.promptTokens, maxTokens: request.maxTokens, at: time) }
        offered += 1
        servedByArrival.add(servedSinceArrival)
        servedSinceArrival = Served()
        enterBucket(at: time)
        inSystem += 1
        noteQueue()
    }

    /// Offers a request's charge to the synchronous deployments at `time`, for the capacity bound: at its
    /// arrival, or when a batch sent it back. (The bound's minimum runs over instants up to the last
    /// arrival: one sent back after the arrivals so far is not such an instant, and a later arrival may
    /// make it one; left out, the bound is at most a little larger than it is, and the efficiency errs low.)
    mutating func offerSynchronously(prompt: Int, maxTokens: Int, at time: Int64) {
        if time <= lastArrival {
            let elapsed = minutes(time - (firstArrival ?? time))
            minTokenTerm = min(minTokenTerm, offeredTokens - tokenLimit * elapsed)
            minRequestTerm = min(minRequestTerm, Double(syncOffered) - requestLimit * elapsed)
        }
        syncOffered += 1
        offeredTokens += Double(boundCharge(prompt: prompt, maxTokens: maxTokens))
    }

    mutating func attempted(_ d: Int, response: MockEndpoint.Response, at time: Int64, isRetry: Bool) {
        enterBucket(at: time)
        attempts += 1
        if isRetry { retries += 1 }
        perDeployment[d].attempts += 1
        inFlight += 1
        noteQueue()
        switch response.outcome {
        case .throttled:
            throttled += 1
            perDeployment[d].throttled += 1
            bucketThrottled += 1
        case .transientFailure, .permanentFailure, .deploymentUnavailable, .brokenAnswer, .batchUnfinished:
            transientErrors += 1
            perDeployment[d].errors += 1
        case .succeeded(let usage):
            perDeployment[d].succeeded += 1
            perDeployment[d].servedTokens += usage.totalTokens
        }
        perDeployment[d].chargedTokens += response.charged
        perDeployment[d].bucketCharged += response.charged
    }

    mutating func finished(_ state: Engine.Pending, result: JobResult, at time: Int64) {
        enterBucket(at: time)
        inSystem -= 1
        lastFinish = max(lastFinish, time)
        if state.firstDispatch >= 0 { queueWaits.append(state.firstDispatch - state.arrival) }
        if state.tenant >= 0 {
            let succeeded = if case .succeeded = result { true } else { false }
            tenantFinished(Int(state.tenant), state, succeeded: succeeded, at: time)
        }
        switch result {
        case .succeeded:
            succeeded += 1
            latencies.append(time - state.arrival)
            if hasBatch {
                if state.deferrable { deferrableLatencies.append(time - state.arrival) } else { urgentLatencies.append(time - state.arrival) }
            }
            // What a batch served took none of the synchronous capacity the bound measures.
            guard !state.batched else { break }
            let served = Served(charge: boundCharge(prompt: state.promptTokens, maxTokens: state.maxTokens), requests: 1,
                                tokens: state.promptTokens + state.outputTokens)
            if state.lastDispatch <= lastArrival { servedByArrival.add(served) } else { servedSinceArrival.add(served) }
        case .failed(let error):
            failures[error.kind.name, default: 0] += 1
        case .cancelled:
            failures["cancelled", default: 0] += 1
        }
        noteQueue()
    }

    /// The response cache answered `request` at `time` (a hit at its arrival, or a coalesced request
    /// when the answer it waited for came): served, but never offered to the deployments.
    mutating func answeredByCache(_ request: SimulatedRequest, at time: Int64) {
        cacheAnswered += 1
        succeeded += 1
        latencies.append(time - request.arrival.nanoseconds)
        cacheTokens = cacheTokens.addingSaturating(request.promptTokens.addingSaturating(request.outputTokens))
        cacheCharge = cacheCharge.addingSaturating(boundCharge(prompt: request.promptTokens, maxTokens: request.maxTokens))
    }

    /// `request`, of tenant `t` (-1: none), was refused at its arrival at `time` with `error` (its
    /// tenant's budget spent): offered, but neither in the system nor offered to the deployments.
    mutating func refused(_ request: SimulatedRequest, tenant t: Int, because error: HeadroomError, at time: Int64) {
        arrived(request, at: time, deferred: true)
        inSystem -= 1
        failures[error.kind.name, default: 0] += 1
        if t >= 0 {
            tenantOffered(t, tokens: 0)
            perTenant[t].refused += 1
        }
        noteQueue()
    }

    /// A request of tenant `t`, of `tokens` prompt and completion tokens, arrived.
    mutating func tenantOffered(_ t: Int, tokens: Int) {
        if t >= perTenant.count { perTenant.append(contentsOf: repeatElement(PerTenant(), count: t + 1 - perTenant.count)) }
        perTenant[t].offered += 1
        perTenant[t].offeredTokens += tokens
        if tenantsServedSinceArrival {
            for u in perTenant.indices {
                perTenant[u].servedByArrival += perTenant[u].servedSinceArrival
                perTenant[u].servedSinceArrival = 0
            }
            tenantsServedSinceArrival = false
        }
    }

    private mutating func tenantFinished(_ t: Int, _ state: Engine.Pending, succeeded: Bool, at time: Int64) {
        if state.firstDispatch >= 0 { perTenant[t].waits.append(state.firstDispatch - state.arrival) }
        guard succeeded else { return }
        perTenant[t].served += 1
        perTenant[t].servedTokens += state.promptTokens + state.outputTokens
        if state.lastDispatch <= lastArrival {
            perTenant[t].servedByArrival += state.promptTokens + state.outputTokens
        } else {
            perTenant[t].servedSinceArrival += state.promptTokens + state.outputTokens
            tenantsServedSinceArrival = true
        }
        perTenant[t].latencies.append(time - state.arrival)
        let bucket = slot(time)
        grow(&perTenant[t].servedTimeline, to: bucket)
        perTenant[t].servedTimeline[bucket] += state.promptTokens + state.outputTokens
    }

    /// Each tenant's report (named `names`, weighing `weights`, in the same order), and Jain's index of
    /// what each was served by the last arrival over its max-min fair share of what all were served by
    /// then (by weight, none given more than it offered).
    func tenantReports(names: [String], weights: [Double]) -> ([SimulationReport.TenantReport], Double) {
        let total = Double(max(1, perTenant.reduce(0) { $0 + $1.servedTokens }))
        let weightSum = weights.reduce(0, +)
        let reports = perTenant.indices.map { t in
            SimulationReport.TenantReport(name: names[t], offered: perTenant[t].offered, served: perTenant[t].served, refused: perTenant[t].refused,
                                          servedTokens: perTenant[t].servedTokens, share: Double(perTenant[t].servedTokens) / total,
                                          entitlement: weights[t] / weightSum, queueWait: .init(perTenant[t].waits), latency: .init(perTenant[t].latencies),
                                          servedTimeline: perTenant[t].servedTimeline)
        }
        let fair = Self.maxMinShares(of: Double(perTenant.reduce(0) { $0 + $1.servedByArrival }),
                                     demands: perTenant.map { Double($0.offeredTokens) }, weights: weights)
        let normalized = perTenant.indices.map { fair[$0] > 0 ? Double(perTenant[$0].servedByArrival) / fair[$0] : 1 }
        let squares = normalized.reduce(0) { $0 + $1 * $1 }
        let sum = normalized.reduce(0, +)
        let fairness = squares > 0 ? sum * sum / (Double(normalized.count) * squares) : 1
        return (reports, fairness)
    }

    /// `capacity` shared max-min fairly by weight among `demands`: none gets more than it asked, and
    /// what one leaves goes to the others in proportion to their weights (water-filling).
    static func maxMinShares(of capacity: Double, demands: [Double], weights: [Double]) -> [Double] {
        var shares = Array(repeating: 0.0, count: demands.count)
        // In index order throughout: sums taken in one order give one result, run after run.
        var open = demands.indices.filter { demands[$0] > 0 }
        var left = capacity
        while left > 1e-9, !open.isEmpty {
            let weight = open.reduce(0) { $0 + weights[$1] }
            // Those whose demand a proportional split would meet take their demand; the rest share what is left.
            let met = open.filter { demands[$0] <= left * weights[$0] / weight }
            if met.isEmpty {
                for t in open { shares[t] = left * weights[t] / weight }
                break
            }
            for t in met {
                left -= demands[t]
                shares[t] = demands[t]
            }
            open.removeAll { met.contains($0) }
        }
        return shares
    }

    /// An attempt's response reached the client.
    mutating func answered() {
        inFlight -= 1
    }

    /// An attempt went into batch deployment `d`'s forming file at `time`.
    mutating func attemptedBatch(_ d: Int, at time: Int64) {
        enterBucket(at: time)
        attempts += 1
        perDeployment[d].attempts += 1
        inFlight += 1
        noteQueue()
    }

    /// A batch of deployment `d` ended: this attempt of it served (`tokens` of prompt and completion) or not.
    mutating func answeredByBatch(_ d: Int, served: Bool, tokens: Int) {
        inFlight -= 1
        guard served else { return }
        perDeployment[d].succeeded += 1
        perDeployment[d].servedTokens += tokens
    }

    /// Prices a request of `tenant` served by the deployment named `deployment`.
    /// Prices a request of `tenant` served by the deployment named `deployment`; returns its cost (`nil`: no prices, or none for the model).
    mutating func priced(_ state: Engine.Pending, model: String, deployment: String, tenant: String?) -> Double? {
        cost?.record(Usage(promptTokens: state.promptTokens, completionTokens: state.outputTokens), model: model, deployment: deployment,
                     tenant: tenant, batch: state.batched)
    }

    mutating func finishRun() {
        closeBucket()
        let slots = max(slot(lastFinish), slot(lastArrival)) + 1
        for d in chargedTimeline.indices { grow(&chargedTimeline[d], to: slots - 1) }
        grow(&throttledTimeline, to: slots - 1)
        grow(&queueTimeline, to: slots - 1)
    }

    /// The most buckets a timeline holds: a day of 1 s buckets, or 11.6 days of 10 s ones.
    static let maxTimelineBuckets = 100_000

    /// How long the run lasted, from the first arrival, if that is more than the
    /// timeline holds (its last bucket then holds everything after it).
    var timelineOverrun: Int64? {
        let span = max(lastFinish, lastArrival) - (firstArrival ?? 0)
        return span / bucket >= Int64(Self.maxTimelineBuckets) ? span : nil
    }

    private func slot(_ time: Int64) -> Int { Int(min(max(0, time - (firstArrival ?? 0)) / bucket, Int64(Self.maxTimelineBuckets - 1))) }

    private func grow(_ series: inout [Int], to slot: Int) {
        if series.count <= slot { series.append(contentsOf: repeatElement(0, count: slot + 1 - series.count)) }
    }

    /// Moves to the bucket of `time`, writing out the one that ended (one division a bucket, not one an event).
    private mutating func enterBucket(at time: Int64) {
        guard time >= bucketEnd else { return }
        let slot = self.slot(time)
        if slot != currentBucket {
            closeBucket()
            currentBucket = slot
        }
        let (span, overflow) = Int64(slot + 1).multipliedReportingOverflow(by: bucket)
        bucketEnd = overflow ? .max : (firstArrival ?? 0).addingSaturating(span)
    }

    /// Writes the current bucket's tallies into the timelines.
    private mutating func closeBucket() {
        let slot = currentBucket
        if bucketQueue > 0 {
            grow(&queueTimeline, to: slot)
            queueTimeline[slot] = max(queueTimeline[slot], bucketQueue)
        }
        if bucketThrottled > 0 {
            grow(&throttledTimeline, to: slot)
            throttledTimeline[slot] += bucketThrottled
        }
        for d in perDeployment.indices where perDeployment[d].bucketCharged > 0 {
            grow(&chargedTimeline[d], to: slot)
            chargedTimeline[d][slot] += perDeployment[d].bucketCharged
            perDeployment[d].bucketCharged = 0
        }
        bucketQueue = 0
        bucketThrottled = 0
    }

    private mutating func noteQueue() {
        bucketQueue = max(bucketQueue, inSystem - inFlight)
    }

    func report(label: String, deployments: [SimulatedDeployment], seed: UInt64, events: UInt64, cache: SimulationReport.Cache?,
                batch: BatchStatistics?) -> SimulationReport {
        let start = firstArrival ?? 0
        let horizon = minutes(lastArrival - start)
        let duration = max(lastFinish, lastArrival) - start
        let boundTokens = min(offeredTokens, minTokenTerm + tokenBurst + tokenLimit * horizon)
        let boundRequests = min(Double(syncOffered), minRequestTerm + requestBurst + requestLimit * horizon)
        let served = servedByArrival
        let tokensBind = syncOffered == 0 || boundTokens / max(1, offeredTokens) <= boundRequests / Double(max(1, syncOffered))
        let efficiency = tokensBind ? Double(served.charge) / max(1, boundTokens) : Double(served.requests) / max(1, boundRequests)
        let runMinutes = max(minutes(duration), 1e-9)
        let bucketMinutes = minutes(bucket)
        return SimulationReport(
            strategy: label, seed: seed,
            requests: .init(offered: offered + cacheAnswered, succeeded: succeeded, failed: failures.filter { $0.key != HeadroomError.Kind.queueFull.name },
                            rejected: failures[HeadroomError.Kind.queueFull.name] ?? 0),
            upstream: .init(attempts: attempts, throttled: throttled, throttleRate: Double(throttled) / Double(max(1, attempts)),
                            errors: transientErrors, retries: retries),
            durationSeconds: Double(duration) / 1e9,
            // Over a horizon of under a second (requests that arrived all at once), the run's duration measures better.
            goodputTokensPerMinute: Double(served.tokens) / max(horizon >= 1.0 / 60 ? horizon : runMinutes, 1.0 / 60),
            capacity: .init(horizonSeconds: horizon * 60, offeredTokens: Int(saturating: offeredTokens), boundTokens: Int(saturating: boundTokens),
                            servedTokens: served.charge, boundRequests: Int(saturating: boundRequests), servedRequests: served.requests,
                            binding: tokensBind ? "tokens" : "requests", efficiency: efficiency),
            queueWait: .init(queueWaits), latency: .init(latencies), latencyHistogram: .init(latencies),
            deployments: deployments.indices.map { d in
                let quota = deployments[d].batch == nil ? Double(deployments[d].endpoint.tokensPerMinute) * runMinutes : 0
                let stats = perDeployment[d]
                return .init(id: deployments[d].id, attempts: stats.attempts, succeeded: stats.succeeded, throttled: stats.throttled,
                             errors: stats.errors, chargedTokens: stats.chargedTokens, servedTokens: stats.servedTokens, quotaTokens: Int(saturating: quota),
                             utilization: Double(stats.chargedTokens) / max(1, quota))
            },
            timeline: .init(bucketSeconds: Double(bucket) / 1e9, chargedTokens: chargedTimeline,
                            quotaTokensPerBucket: deployments.map { $0.batch == nil ? Int(saturating: Double($0.endpoint.tokensPerMinute) * bucketMinutes) : 0 },
                            throttled: throttledTimeline, queueLength: queueTimeline),
            events: events,
            cache: cache.map(completed),
            batch: batch.map { .init(statistics: $0, deferrableLatency: .init(deferrableLatencies), urgentLatency: .init(urgentLatencies)) },
            cost: cost.map { .init(total: $0.total, deployments: $0.deployments, tenants: $0.tenants, models: $0.models) }
        )
    }

    /// The cache's counts with what follows from them and from the requests it answered.
    private func completed(_ counts: SimulationReport.Cache) -> SimulationReport.Cache {
        var cache = counts
        cache.lookups = cache.hits + cache.coalesced + cache.misses
        cache.hitRate = Double(cache.hits + cache.coalesced) / Double(max(1, cache.lookups))
        cache.tokensSaved = cacheTokens
        cache.freedTokens = cacheCharge
        cache.freedShare = Double(cacheCharge) / max(1, Double(cacheCharge) + offeredTokens)
        return cache
    }
}
