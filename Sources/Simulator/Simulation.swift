import Foundation
import HeadroomConfiguration
import HeadroomCore
import HeadroomPolicies

/// Replays a workload against mock deployments through one client, in
/// virtual time, and measures what happened.
///
/// ```swift
/// var workload = SyntheticWorkload(count: 5_000, requestsPerSecond: 20, seed: 1)
/// let report = try Simulation(deployments: deployments, seed: 1)
///     .run(&workload, strategy: .headroom())
/// print(report.text)
/// ```
///
/// The same deployments, workload, strategy and seed give the same report, byte for byte.
public struct Simulation: Sendable {
    /// The deployments, in order.
    public let deployments: [SimulatedDeployment]
    /// Fixes every random draw: latency jitter, faults, background traffic, random policies.
    public let seed: UInt64
    /// The width of the report's timeline buckets.
    public let bucket: Duration
    /// Called now and then with the share of the workload's time simulated so far, if given.
    public var progress: (@Sendable (Double) -> Void)?
    /// The arrival of the workload's last request, when known in advance (for `progress`).
    public var expectedEnd: Instant?
    /// Makes the policies that ``QueueChoice/named(_:)`` and an ``AllocationChoice`` of your own name.
    public var registry = Registry.standard
    /// The response cache in front of the client, if any: the same for every strategy.
    public var cache: SimulatedCache?
    /// Several instances of Headroom sharing the deployments, if any: Headroom's strategy runs as
    /// that many instances (the baselines stay one client each).
    public var sharing: SimulatedSharing?
    /// Whether requests that accept batch (by their own word or their tenant's setting) may go to a
    /// batch deployment; off, every request is sent synchronously, to compare.
    public var batchRouting = true
    /// Tenants whose requests go to batch unless one says otherwise (the gateway's clients with `batch`).
    public var batchTenants: Set<String> = []
    /// Whether a request whose deadline leaves a batch's expected turnaround goes to batch (the
    /// gateway's `batchByDeadline`).
    public var batchByDeadline = false
    /// The longest a request that gives a deadline takes in all (the engine's `requestTimeoutSeconds`):
    /// its deadline counts within it, as the engine counts it.
    public var requestTimeout: Duration = .seconds(600)
    /// What each model costs, for the report's cost; `nil`: nothing is costed.
    public var prices: PriceTable?
    /// Tenants' weights, for their entitlements in the report (a tenant not named weighs 1).
    public var tenantWeights: [String: Double] = [:]
    /// Tenants' budgets: a request of a tenant that has spent one is refused at its arrival, as the
    /// gateway refuses it. The simulation's clock starts at 1970-01-01T00:00:00Z, so a day's budget
    /// resets every 86,400 simulated seconds.
    public var budgets: [String: [Budget]] = [:]

    /// Creates a simulation, checking the deployments.
    public init(deployments: [SimulatedDeployment], seed: UInt64, bucket: Duration = .seconds(10)) throws(HeadroomError) {
        if deployments.isEmpty { throw HeadroomError(.invalidScenario, "No deployments: a simulation needs at least one.") }
        var seen: Set<String> = []
        for deployment in deployments {
            if let problem = deployment.endpoint.validationProblem() {
                throw HeadroomError(.invalidScenario, "Deployment '\(deployment.id)': \(problem)")
            }
            if !seen.insert(deployment.id).inserted {
                throw HeadroomError(.invalidScenario, "Two deployments are named '\(deployment.id)'; give each a unique id.")
            }
        }
        if !(bucket >= .milliseconds(100) && bucket <= .seconds(86_400)) {
            throw HeadroomError(.invalidScenario, "The timeline bucket is \(bucket); it must be from 0.1 seconds to a day.")
        }
        self.deployments = deployments
        self.seed = seed
        self.bucket = bucket
    }

    /// Runs `workload` through the client `strategy` describes.
    public func run<Workload: WorkloadSource>(_ workload: inout Workload, strategy: Strategy) throws(HeadroomError) -> SimulationReport {
        switch strategy {
        case .headroom(let settings):
            if let problem = settings.validationProblem() { throw HeadroomError(.invalidScenario, "Headroom settings: \(problem)") }
            if let problem = sharing?.validationProblem() { throw HeadroomError(.invalidScenario, "Sharing: \(problem)") }
            return try runHeadroom(&workload, settings, label: strategy.label)
        case .naiveRetry:
            var client = NaiveRetryClient(deployments: deployments.map { DeploymentID($0.id) }, seed: seed)
            return try run(&workload, client: &client, label: strategy.label)
        case .shuffleCooldown:
            var client = ShuffleCooldownClient(deployments: deployments.map { DeploymentID($0.id) },
                                               weights: deployments.map { Double($0.endpoint.tokensPerMinute) }, seed: seed)
            return try run(&workload, client: &client, label: strategy.label)
        case .tokenBucket:
            var client = TokenBucketClient(deployments: deployments.map { DeploymentID($0.id) },
                                           requestsPerMinute: deployments.map(\.endpoint.requestsPerMinute),
                                           tokensPerMinute: deployments.map(\.endpoint.tokensPerMinute))
            return try run(&workload, client: &client, label: strategy.label)
        }
    }

    /// Runs Headroom with the policies `settings` names: the built-in ones made here, so that the
    /// scheduler's code is specialized for them, the others by the ``registry``.
    private func runHeadroom<Workload: WorkloadSource>(
        _ workload: inout Workload, _ settings: HeadroomSettings, label: String
    ) throws(HeadroomError) -> SimulationReport {
        switch settings.queue {
        case .fifo: try runHeadroom(&workload, queue: FIFOQueue(), settings, label: label)
        case .fifoPassing(let times): try runHeadroom(&workload, queue: FIFOQueue(smallerJobsMayPass: times), settings, label: label)
        case .priority(let aging): try runHeadroom(&workload, queue: PriorityQueue(aging: aging.map { .seconds($0) }), settings, label: label)
        case .named: try runHeadroom(&workload, queue: registry.queue(for: settings.policies), settings, label: label)
        }
    }

    private func runHeadroom<Workload: WorkloadSource, Queue: QueuePolicy>(
        _ workload: inout Workload, queue: Queue, _ settings: HeadroomSettings, label: String
    ) throws(HeadroomError) -> SimulationReport {
        let deployments = try self.deployments.map { deployment throws(HeadroomError) in
            var told = deployment
            told.endpoint.requestsPerMinute = max(1, Int(Double(told.endpoint.requestsPerMinute) * settings.requestLimitScale))
            told.endpoint.tokensPerMinute = max(1, Int(Double(told.endpoint.tokensPerMinute) * settings.tokenLimitScale))
            return try told.deployment()
        }
        var configuration = settings.configuration
        configuration.seed = seed
        func run<Allocation: AllocationPolicy>(_ allocation: Allocation) throws(HeadroomError) -> SimulationReport {
            guard let sharing else {
                var scheduler = try Scheduler(deployments: deployments, queue: queue, allocation: allocation, configuration: configuration)
                return try self.run(&workload, client: &scheduler, label: label)
            }
            var cluster = try ClusterClient(sharing: sharing, deployments: deployments.map(\.id), make: { configuration throws(HeadroomError) in
                try Scheduler(deployments: deployments, queue: queue, allocation: allocation, configuration: configuration)
            }, configuration: configuration)
            var report = try self.run(&workload, client: &cluster, label: "\(label), \(sharing.instances) instances"
                                      + (sharing.sharesLimits ? " sharing" : " not sharing"))
            let totals = cluster.totals
            report.sharing = .init(instances: sharing.instances, sharesLimits: sharing.sharesLimits, renewals: totals.renewals,
                                   failures: totals.failures, fallbacks: totals.fallbacks)
            return report
        }
        switch settings.allocation {
        case .maxHeadroom: return try run(MaxHeadroom())
        case .weightedRandom: return try run(WeightedRandom())
        case .roundRobin: return try run(RoundRobin())
        case .leastLoaded: return try run(LeastLoaded())
        default: return try run(registry.allocation(for: settings.policies))
        }
    }

    /// Runs `workload` through `client`, a client of your own.
    public func run<Workload: WorkloadSource, Client: SimulatedClient>(
        _ workload: inout Workload, client: inout Client, label: String
    ) throws(HeadroomError) -> SimulationReport {
        var engine = Engine(simulation: self)
        engine.metrics.cost = prices.map(CostLedger.init(prices:))
        engine.budgets = BudgetLedger(budgets: budgets)
        try engine.run(&workload, &client)
        if let span = engine.metrics.timelineOverrun {
            throw HeadroomError(.invalidScenario, "The run lasted \(grouped(Int(span / 1_000_000_000))) s of simulated time, more than the report's "
                + "timeline holds (\(grouped(MetricsCollector.maxTimelineBuckets)) buckets of \(bucket)). Give a wider bucket (bucketSeconds), "
                + "or look in the workload for a request whose size or latency is out of all proportion.")
        }
        var report = engine.metrics.report(label: label, deployments: deployments, seed: seed, events: engine.events.pushed,
                                           cache: engine.cache?.counts, batch: engine.batches?.tally.statistics)
        if !engine.tenantNames.isEmpty {
            (report.tenants, report.fairness) = engine.metrics.tenantReports(names: engine.tenantNames,
                                                                           weights: engine.tenantNames.map { tenantWeights[$0] ?? 1 })
        }
        return report
    }
}

/// The event loop of one run.
struct Engine {
    /// A request in the system: its sizes (no strings, so that reading it copies nothing) and its dispatches.
    struct Pending {
        var id: JobID
        var isLive = false
        var arrival: Int64 = 0
        var promptTokens = 0
        var maxTokens = 0
        var outputTokens = 0
        var firstDispatch: Int64 = -1
        var lastDispatch: Int64 = -1
        /// Which deployments serve its model (see `Engine.served`).
        var model = 0
        /// The deployment of its last dispatch, and whether that one is a batch deployment.
        var deployment = 0
        var batched = false
        /// Whether the request accepts batch (routed there or not).
        var deferrable = false
        /// Its tenant's position in `Engine.tenantNames` (-1: none).
        var tenant: Int32 = -1
        /// When it must end (``Job/deadline``; `.max`: never).
        var deadline: Int64 = .max

        static let vacant = Pending(id: JobID(rawValue: 0))
    }

    /// What the client is told when an attempt answers, kept in the form it is told in.
    struct InFlightAttempt {
        var job: JobID
        var deployment: Int
        var charged: Int
        var outcome: AttemptOutcome
        var rateLimits: RateLimitObservation?

        /// What a free slot holds.
        static let vacant = InFlightAttempt(job: JobID(rawValue: 0), deployment: 0, charged: 0, outcome: .throttled(retryAfter: nil), rateLimits: nil)
    }

    let simulation: Simulation
    var endpoints: [MockEndpoint]
    var events = EventQueue()
    var metrics: MetricsCollector
    /// Requests in the system, by the job's slot (see `JobID.slot`).
    var pending: [Pending] = []
    var pendingCount = 0
    /// Attempts awaiting their response, by slot; slots are reused once the response is read.
    var attempts: [InFlightAttempt] = []
    var freeAttempts: [Int] = []
    let deploymentIndex: DeploymentIndex
    /// The request whose arrival is the next `.arrival` event, if `hasNextArrival`.
    /// (Not an optional: assigning a large optional goes through runtime metadata.)
    var nextArrival = SimulatedRequest(arrival: .zero, promptTokens: 0, maxTokens: 0, outputTokens: 0)
    var hasNextArrival = false
    var wakeAt: Int64?
    var background: SeededRandom
    /// The job submitted for an arrival, rewritten for each: jobs of one model share one models array.
    var job = Job(models: [], promptTokens: 0, maxOutputTokens: 0)
    /// For each model seen, whether each deployment serves it, and the model's position here by name.
    var served: [[Bool]] = []
    var modelPositions: [String: Int] = [:]
    var modelNames: [String] = []
    /// The tenants seen, in order of first arrival, and their positions by name.
    var tenantNames: [String] = []
    var tenantPositions: [String: Int32] = [:]
    /// For each model seen, whether a batch deployment serves it.
    var servedByBatch: [Bool] = []
    /// The position in `served` of the current job's model.
    var model = 0
    /// The response cache, if the simulation has one.
    var cache: CacheReplay?
    /// Requests the cache sends upstream after another's end, waiting to be submitted.
    var released: [(request: SimulatedRequest, fetch: CacheReplay.Fetch)] = []
    /// The batch deployments at work, if there are any, and when their next forming file is due.
    var batches: SimulatedBatches?
    var batchFlushAt: Int64?
    /// Whether requests may go to batch at all (off: every request is sent synchronously).
    let batchRouting: Bool
    /// Tenants whose requests go to batch unless one says otherwise.
    let batchTenants: Set<String>
    /// The batch deployments' rules, and the turnaround a deadline must leave to go to batch (`nil`: deadlines do not route).
    let batchRules: [BatchRules]
    let routingTurnaround: Duration?
    /// What tenants have used of their budgets.
    var budgets = BudgetLedger(budgets: [:])

    init(simulation: Simulation) {
        self.simulation = simulation
        endpoints = simulation.deployments.enumerated().map { index, deployment in
            MockEndpoint(model: deployment.endpoint, seed: simulation.seed &+ UInt64(index + 1) &* 0x9E37_79B9)
        }
        metrics = MetricsCollector(deployments: simulation.deployments, bucket: simulation.bucket.nanoseconds)
        background = SeededRandom(seed: simulation.seed ^ 0xB6_C6_E0)
        deploymentIndex = DeploymentIndex(simulation.deployments.map { DeploymentID($0.id) })
        cache = simulation.cache.map(CacheReplay.init)
        if simulation.deployments.contains(where: { $0.batch != nil }) {
            batches = SimulatedBatches(deployments: simulation.deployments, seed: simulation.seed)
        }
        batchRouting = simulation.batchRouting
        batchTenants = simulation.batchTenants
        batchRules = simulation.deployments.compactMap { $0.batch?.rules }
        routingTurnaround = simulation.batchByDeadline ? BatchRouting.routingTurnaround(batchRules) : nil
    }

    mutating func run<Workload: WorkloadSource, Client: SimulatedClient>(_ workload: inout Workload, _ client: inout Client) throws(HeadroomError) {
        // Read over the request before it: a source that makes its own requests need not copy their strings.
        hasNextArrival = try workload.next(into: &nextArrival)
        if hasNextArrival { events.push(nextArrival.arrival.nanoseconds, .arrival) }
        for (index, endpoint) in endpoints.enumerated() where endpoint.model.faults.backgroundTokensPerMinute > 0 {
            scheduleBackground(index, after: hasNextArrival ? nextArrival.arrival.nanoseconds : 0)
        }
        var reported = 0.0
        let end = Double(simulation.expectedEnd?.nanoseconds ?? 0)
        // One buffer for every event's actions, emptied now and then rather
        // than at every event: emptying it costs a runtime call however few it holds.
        var actions: [SchedulerAction] = []
        while let event = events.pop() {
            let now = Instant(nanoseconds: event.time)
            if actions.count >= 64 { actions.removeAll(keepingCapacity: true) }
            let first = actions.count
            switch event.kind {
            case .arrival:
                guard hasNextArrival else { continue }
                // A tenant whose budget is spent is refused before the cache, as the gateway refuses it.
                var goesUpstream = !refusedByBudget(nextArrival, at: event.time)
                var fetch: CacheReplay.Fetch?
                switch goesUpstream ? cache?.arrive(nextArrival, at: event.time) : nil {
                case nil, .bypass?: break
                case .hit?:
                    metrics.answeredByCache(nextArrival, at: event.time)
                    goesUpstream = false
                case .following?: goesUpstream = false
                case .fetch(let leading)?: fetch = leading
                }
                if goesUpstream {
                    // Read in place: a copy of the request would retain and release its strings.
                    prepareJob()
                    let id = client.submit(job, now: now, into: &actions)
                    store(Pending(id: id, isLive: true, arrival: event.time, promptTokens: nextArrival.promptTokens,
                                  maxTokens: nextArrival.maxTokens, outputTokens: nextArrival.outputTokens, model: model,
                                  deferrable: batches != nil && deferrable(nextArrival), tenant: position(ofTenant: nextArrival.tenant),
                                  deadline: job.deadline?.nanoseconds ?? .max))
                    metrics.arrived(nextArrival, at: event.time, deferred: job.acceptsBatch && servedByBatch[model])
                    if let fetch { cache?.sent(id, fetch) }
                }
                hasNextArrival = try workload.next(into: &nextArrival)
                if hasNextArrival {
                    if nextArrival.arrival.nanoseconds < event.time {
                        throw HeadroomError(.invalidTrace, "The workload went back in time at \(nextArrival.arrival); arrivals must not decrease.")
                    }
                    events.push(nextArrival.arrival.nanoseconds, .arrival)
                }
                if let progress = simulation.progress, end > 0, Double(event.time) / end - reported >= 0.01 {
                    reported = Double(event.time) / end
                    progress(min(1, reported))
                }
            case .response:
                let slot = event.reference
                freeAttempts.append(slot)
                // Moved out of its slot, which is free from now on, rather than copied.
                var attempt = InFlightAttempt.vacant
                swap(&attempt, &attempts[slot])
                if attempt.charged > 0 { endpoints[attempt.deployment].finished() }
                metrics.answered()
                client.complete(attempt.job, outcome: attempt.outcome, rateLimits: attempt.rateLimits, now: now, into: &actions)
            case .wake:
                guard wakeAt == event.time else { continue }
                wakeAt = nil
                client.tick(now: now, into: &actions)
            case .background:
                let tokens = endpoints[event.reference].model.faults.nextBackgroundCharge(&background)
                endpoints[event.reference].background(tokens: tokens, now: now)
                if hasNextArrival || pendingCount > 0 { scheduleBackground(event.reference, after: event.time) }
                continue
            case .batchFlush:
                guard batchFlushAt == event.time, let started = batches?.due(at: now) else { continue }
                batchFlushAt = nil
                for batch in started { events.push(batch.poll.nanoseconds, .batchPoll, batch.running) }
                armBatchFlush()
                continue
            case .batchPoll:
                guard let (next, ending) = batches?.poll(event.reference, at: now) else { continue }
                if let next { events.push(next.nanoseconds, .batchPoll, event.reference) }
                if let ending { answer(ending, now: now, client: &client, into: &actions) }
            }
            try perform(actions, from: first, now: event.time)
            while !released.isEmpty {
                let start = actions.count
                for (request, fetch) in released {
                    let id = submit(request, now: event.time, client: &client, into: &actions)
                    cache?.sent(id, fetch)
                }
                released.removeAll()
                try perform(actions, from: start, now: event.time)
            }
        }
        if pendingCount > 0 {
            throw HeadroomError(.invalidScenario, "\(pendingCount) requests never ended: the client stopped without finishing them. This is a bug in the client.")
        }
        metrics.finishRun()
    }

    /// Carries out `actions[first...]`. (By position: a slice of the buffer would retain it.)
    private mutating func perform(_ actions: [SchedulerAction], from first: Int, now: Int64) throws(HeadroomError) {
        for position in first ..< actions.count {
            switch actions[position] {
            case .dispatch(let id, let name, _):
                guard let d = deploymentIndex.position(of: name), isPending(id) else {
                    throw HeadroomError(.invalidScenario, "The client dispatched \(id) to '\(name)', which the simulation does not know.")
                }
                let slot = id.slot
                pending[slot].deployment = d
                pending[slot].batched = batches?.isBatch(d) == true
                if pending[slot].batched {
                    if pending[slot].firstDispatch < 0 { pending[slot].firstDispatch = now }
                    pending[slot].lastDispatch = now
                    metrics.attemptedBatch(d, at: now)
                    let started = batches!.add(.init(job: id, promptTokens: pending[slot].promptTokens), to: d, now: Instant(nanoseconds: now))
                    for batch in started { events.push(batch.poll.nanoseconds, .batchPoll, batch.running) }
                    armBatchFlush()
                    continue
                }
                // A deployment answers a model it does not serve with a 404, whoever sent it there.
                let response = served[pending[slot].model][d]
                    ? endpoints[d].handle(promptTokens: pending[slot].promptTokens, maxTokens: pending[slot].maxTokens,
                                          outputTokens: pending[slot].outputTokens, now: Instant(nanoseconds: now))
                    : endpoints[d].notServed(now: Instant(nanoseconds: now))
                let isRetry = pending[slot].firstDispatch >= 0
                if !isRetry { pending[slot].firstDispatch = now }
                pending[slot].lastDispatch = now
                let attempt: InFlightAttempt
                let answerAt: Int64
                if response.at.nanoseconds <= pending[slot].deadline {
                    metrics.attempted(d, response: response, at: now, isRetry: isRetry)
                    attempt = InFlightAttempt(job: id, deployment: d, charged: response.charged, outcome: response.outcome, rateLimits: response.rateLimits)
                    answerAt = response.at.nanoseconds
                } else {
                    // The engine abandons an attempt still under way at its request's deadline (its watchdog): the
                    // provider charges it all the same, and the scheduler, told it failed, ends the request.
                    answerAt = max(now, pending[slot].deadline)
                    let abandoned = MockEndpoint.Response(at: Instant(nanoseconds: answerAt), outcome: .transientFailure(
                        retryAfter: nil, message: "no complete answer by the request's deadline"), rateLimits: nil, charged: response.charged, status: 504)
                    metrics.attempted(d, response: abandoned, at: now, isRetry: isRetry)
                    attempt = InFlightAttempt(job: id, deployment: d, charged: abandoned.charged, outcome: abandoned.outcome, rateLimits: nil)
                }
                let attemptSlot: Int
                if let free = freeAttempts.popLast() {
                    attemptSlot = free
                    attempts[attemptSlot] = consume attempt
                } else {
                    attemptSlot = attempts.count
                    attempts.append(consume attempt)
                }
                events.push(answerAt, .response, attemptSlot)
            case .finish(let id, let result, _):
                guard isPending(id) else { continue }
                pending[id.slot].isLive = false
                pendingCount -= 1
                metrics.finished(pending[id.slot], result: result, at: now)
                if case .succeeded = result {
                    let state = pending[id.slot]
                    let cost = metrics.priced(state, model: modelNames[state.model], deployment: simulation.deployments[state.deployment].id,
                                              tenant: state.tenant >= 0 ? tenantNames[Int(state.tenant)] : nil)
                    if !budgets.isEmpty && state.tenant >= 0 {
                        _ = budgets.record(tenant: tenantNames[Int(state.tenant)], cost: cost, tokens: state.promptTokens + state.outputTokens,
                                           at: Double(now) / 1e9)
                    }
                }
                switch cache?.finished(id, result: result, outputTokens: pending[id.slot].outputTokens, at: now) {
                case nil: break
                case .answered(let followers)?:
                    for follower in followers { metrics.answeredByCache(follower, at: now) }
                case .released(let followers, let fetch)?:
                    released += followers.map { ($0, fetch) }
                }
            case .deploymentDisabled:
                // The mock endpoints never refuse credentials, so nothing leaves rotation here.
                continue
            case .scheduleWakeup(let at):
                let time = max(now, at.nanoseconds)
                if time != wakeAt {
                    wakeAt = time
                    events.push(time, .wake)
                }
            }
        }
    }

    /// Rewrites ``job`` for the next arrival, allocating a models array only when the model changes.
    private mutating func prepareJob() {
        if nextArrival.model != job.models.first || served.isEmpty {
            job.models = [nextArrival.model]
            model = position(ofModel: nextArrival.model)
        }
        nextArrival.fill(&job)
        job.acceptsBatch = batchRouting && deferrable(nextArrival)
        job.deadline = deadline(of: nextArrival, acceptsBatch: job.acceptsBatch)
    }

    /// When `request` must end, as the engine has it: its deadline, within the longest it may take.
    private func deadline(of request: SimulatedRequest, acceptsBatch: Bool) -> Instant? {
        guard let deadline = request.deadline else { return nil }
        return request.arrival + BatchRouting.timeLimit(deadline: deadline, acceptsBatch: acceptsBatch, rules: batchRules,
                                                        requestTimeout: simulation.requestTimeout)
    }

    /// Whether `request` accepts batch, by the rule the gateway follows: its own word, else a deadline that
    /// leaves a batch's turnaround (when deadlines route), else its tenant's setting.
    private func deferrable(_ request: SimulatedRequest) -> Bool {
        batches != nil && BatchRouting.acceptsBatch(asked: request.batch, clientDefault: request.tenant.map(batchTenants.contains) ?? false,
                                                    deadline: request.deadline, expectedTurnaround: routingTurnaround)
    }

    /// Answers the jobs of a batch that ended: those it served, and the rest as unfinished, to go synchronously.
    private mutating func answer<Client: SimulatedClient>(_ ending: SimulatedBatches.Ending, now: Instant, client: inout Client,
                                                         into actions: inout [SchedulerAction]) {
        for (position, id) in ending.jobs.enumerated() where isPending(id) {
            let served = position < ending.served
            let state = pending[id.slot]
            metrics.answeredByBatch(ending.deployment, served: served, tokens: state.promptTokens + state.outputTokens)
            if !served { metrics.offerSynchronously(prompt: state.promptTokens, maxTokens: state.maxTokens, at: now.nanoseconds) }
            batches?.answered(served: served)
            let outcome: AttemptOutcome = served
                ? .succeeded(Usage(promptTokens: state.promptTokens, completionTokens: state.outputTokens))
                : .batchUnfinished(message: "its batch ended \(ending.status?.rawValue ?? "cancelled, not winding down") without serving it")
            client.complete(id, outcome: outcome, rateLimits: nil, now: now, into: &actions)
        }
    }

    /// Schedules the flush of the oldest forming batch file, if it is not already.
    private mutating func armBatchFlush() {
        guard let due = batches?.nextDue?.nanoseconds, due != batchFlushAt else { return }
        batchFlushAt = due
        events.push(due, .batchFlush)
    }

    /// The position of `name` in ``served``, adding it on first sight.
    private mutating func position(ofModel name: String) -> Int {
        if let known = modelPositions[name] { return known }
        served.append(simulation.deployments.map { $0.models.isEmpty || $0.models.contains(name) })
        modelNames.append(name)
        servedByBatch.append(simulation.deployments.contains { $0.batch != nil && ($0.models.isEmpty || $0.models.contains(name)) })
        modelPositions[name] = served.count - 1
        return served.count - 1
    }

    /// The position of tenant `name` in ``tenantNames``, adding it on first sight (-1 for none); the metrics count its arrival.
    private mutating func position(ofTenant name: String?) -> Int32 {
        guard let name else { return -1 }
        if let known = tenantPositions[name] { return known }
        tenantNames.append(name)
        let position = Int32(tenantNames.count - 1)
        tenantPositions[name] = position
        return position
    }

    /// Submits `request`, arrived earlier, at `now`: a request the cache held back for an identical one that did not answer.
    private mutating func submit<Client: SimulatedClient>(
        _ request: SimulatedRequest, now: Int64, client: inout Client, into actions: inout [SchedulerAction]
    ) -> JobID {
        if request.model != job.models.first || served.isEmpty {
            job.models = [request.model]
            model = position(ofModel: request.model)
        }
        request.fill(&job)
        job.acceptsBatch = batchRouting && deferrable(request)
        job.deadline = deadline(of: request, acceptsBatch: job.acceptsBatch)
        let id = client.submit(job, now: Instant(nanoseconds: now), into: &actions)
        store(Pending(id: id, isLive: true, arrival: request.arrival.nanoseconds, promptTokens: request.promptTokens,
                      maxTokens: request.maxTokens, outputTokens: request.outputTokens, model: model, deferrable: deferrable(request),
                      tenant: position(ofTenant: request.tenant), deadline: job.deadline?.nanoseconds ?? .max))
        metrics.arrived(request, at: now, deferred: job.acceptsBatch && servedByBatch[model])
        return id
    }

    /// Refuses `request` at `now` if its tenant has spent a budget, as the gateway does: counted as
    /// offered and failed at once, never submitted.
    private mutating func refusedByBudget(_ request: SimulatedRequest, at now: Int64) -> Bool {
        guard !budgets.isEmpty, let tenant = request.tenant,
              let refusal = budgets.refusal(for: tenant, at: Double(now) / 1e9) else { return false }
        metrics.refused(request, tenant: Int(position(ofTenant: tenant)), because: refusal, at: now)
        return true
    }

    /// Notes a request in the system, in its job's slot.
    private mutating func store(_ state: Pending) {
        let slot = state.id.slot
        if slot >= pending.count { pending.append(contentsOf: repeatElement(.vacant, count: slot + 1 - pending.count)) }
        pending[slot] = state
        pendingCount += 1
        if state.tenant >= 0 { metrics.tenantOffered(Int(state.tenant), tokens: state.promptTokens + state.outputTokens) }
    }

    /// Whether `id` is a request in the system.
    private func isPending(_ id: JobID) -> Bool {
        id.slot < pending.count && pending[id.slot].isLive && pending[id.slot].id == id
    }

    private mutating func scheduleBackground(_ index: Int, after time: Int64) {
        let gap = endpoints[index].model.faults.nextBackgroundGap(&background)
        events.push(time.adding(seconds: gap), .background, index)
    }
}
