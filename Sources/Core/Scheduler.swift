/// The deterministic scheduling state machine: events in, actions out.
///
/// It does no I/O, reads no clock, never sleeps and draws randomness only from
/// its seeded generator, so the live engine and the simulator drive the very
/// same code, and a run repeats exactly for the same seed and events.
///
/// ```swift
/// var scheduler = try Scheduler(
///     deployments: [east, west], queue: .fifo, allocation: .maxHeadroom
/// )
/// let (id, actions) = scheduler.submit(Job(model: "gpt-4o", promptTokens: 900, maxOutputTokens: 300), now: .zero)
/// // actions == [.dispatch(id, to: "east", attempt: 1)]
/// let next = scheduler.complete(id, outcome: .succeeded(Usage(promptTokens: 880, completionTokens: 120)),
///                               now: .seconds(1.2))
/// // next == [.finish(id, .succeeded), ...]
/// ```
///
/// Every submitted job gets exactly one ``SchedulerAction/finish(_:_:)``.
/// Events may carry any `now`; an instant earlier than one already seen is
/// taken as that later one, so time never runs backwards.
public struct Scheduler<Queue: QueuePolicy, Allocation: AllocationPolicy>: Sendable {
    /// The configuration the scheduler was created with.
    public let configuration: SchedulerConfiguration
    /// The deployments, in the order given; ``DeploymentCandidate/index`` refers to it.
    public let deployments: [Deployment]
    /// What has happened so far.
    public internal(set) var counters = SchedulerCounters()

    var states: [DeploymentState]
    let indexByID: [DeploymentID: Int]
    var queue: Queue
    var allocation: Allocation
    var random: SeededRandom
    var slots: [Slot] = []
    var freeSlots: [Int] = []
    var timers = TimerHeap()
    var nextSequence: UInt64 = 0
    var now: Int64 = .min
    var requestedWakeup: Int64?
    var eligibilityCache: [[String]: [Int]] = [:]
    var backingOff = 0
    var inFlight = 0
    // Buffers reused by the dispatch loop.
    var candidates: [DeploymentCandidate] = []
    var claimed: [Bool]
    var claimedCount = 0
    var blocked: [QueuedJob] = []

    /// Creates a scheduler over `deployments`.
    ///
    /// - Throws: ``HeadroomError/Kind/invalidConfiguration`` when there are no
    ///   deployments, two share an id, or a figure is out of range.
    public init(
        deployments: [Deployment],
        queue: Queue,
        allocation: Allocation,
        configuration: SchedulerConfiguration = SchedulerConfiguration()
    ) throws(HeadroomError) {
        try configuration.validate()
        if deployments.isEmpty {
            throw HeadroomError(.invalidConfiguration, "No deployments: give the scheduler at least one deployment to send requests to.")
        }
        var indexByID: [DeploymentID: Int] = [:]
        for (index, deployment) in deployments.enumerated() {
            try deployment.validate()
            if let earlier = indexByID.updateValue(index, forKey: deployment.id) {
                throw HeadroomError(
                    .invalidConfiguration,
                    "Deployments \(earlier) and \(index) are both named '\(deployment.id)'; give each deployment a unique id."
                )
            }
        }
        self.configuration = configuration
        self.deployments = deployments
        self.indexByID = indexByID
        self.states = deployments.map {
            DeploymentState(ledger: CapacityLedger(deployment: $0, utilization: configuration.targetUtilization,
                                                   adaptation: configuration.adaptation),
                            maxConcurrency: $0.maxConcurrency)
        }
        self.queue = queue
        self.allocation = allocation
        self.random = SeededRandom(seed: configuration.seed)
        self.claimed = Array(repeating: false, count: deployments.count)
    }

    // MARK: Events

    /// A new job arrives. Returns the identity given to it and what to do.
    ///
    /// A job that cannot be accepted (invalid fields, no deployment could ever
    /// serve it, the queue is full, its deadline has passed) is finished at once
    /// with the reason.
    public mutating func submit(_ job: Job, now: Instant) -> (id: JobID, actions: [SchedulerAction]) {
        var actions: [SchedulerAction] = []
        advance(to: now, &actions)
        let id = allocateSlot()
        let sequence = nextSequence
        nextSequence += 1
        counters.submitted += 1

        let rejection: HeadroomError?
        var eligible: [Int] = []
        if let problem = job.validationProblem() {
            rejection = HeadroomError(.invalidJob, "Job \(id): \(problem)")
        } else {
            let (servable, reasons) = eligibleDeployments(for: job)
            eligible = servable
            if servable.isEmpty {
                rejection = HeadroomError(.unservable, "No deployment can ever serve job \(id) (\(job.promptTokens) prompt + \(job.maxOutputTokens) output tokens): \(reasons). Send it elsewhere, shorten it, or add a deployment that fits.")
            } else if let deadline = job.deadline, deadline.nanoseconds <= self.now {
                rejection = HeadroomError(.deadlineExceeded, "Job \(id) arrived at \(Instant(nanoseconds: self.now)), at or after its deadline \(deadline).")
            } else if let bound = configuration.maxQueueLength, queue.count >= bound {
                rejection = HeadroomError(.queueFull, "Job \(id) was rejected: the queue already holds \(queue.count) jobs, its maximum (SchedulerConfiguration.maxQueueLength). Retry later, or raise the bound if waits are acceptable.")
            } else {
                rejection = nil
            }
        }
        if let rejection {
            counters.rejected += 1
            actions.append(.finish(id, .failed(rejection)))
            releaseSlot(id.slot)
            finishEvent(&actions)
            return (id, actions)
        }

        var record = JobRecord(job: job, eligible: eligible, sequence: sequence, arrival: self.now)
        var giveUp: Int64?
        if let wait = configuration.maxQueueWait {
            giveUp = self.now.addingSaturating(wait.nanoseconds)
            record.giveUpKind = .queueWaitExceeded
        }
        if let deadline = job.deadline?.nanoseconds, deadline < giveUp ?? .max {
            giveUp = deadline
            record.giveUpKind = .deadlineExceeded
        }
        record.giveUpAt = giveUp
        slots[id.slot].record = record
        if let giveUp { timers.schedule(at: giveUp, job: id, kind: .giveUp) }
        queue.enqueue(queuedJob(id, record))
        finishEvent(&actions)
        return (id, actions)
    }

    /// An attempt ended. `rateLimits` carries what the response's headers said.
    ///
    /// A completion for a job that has already ended (cancelled meanwhile, say)
    /// is ignored and counted in ``SchedulerCounters/staleEvents``.
    public mutating func complete(
        _ id: JobID, outcome: AttemptOutcome, rateLimits: RateLimitObservation? = nil, now: Instant
    ) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        advance(to: now, &actions)
        guard var record = record(id), case .inFlight(let d, let entry) = record.state else {
            counters.staleEvents += 1
            finishEvent(&actions)
            return actions
        }
        states[d].inFlight -= 1
        inFlight -= 1
        states[d].ensureAdvanced(to: self.now)
        if let rateLimits {
            states[d].ledger.observe(rateLimits, now: self.now, deployment: deployments[d])
        }
        let name = deployments[d].id
        switch outcome {
        case .succeeded(let usage):
            let tokens = deployments[d].charge.settlement(for: record.job, usage: usage)
            states[d].ledger.settle(entry, tokens: tokens, requests: 1)
            states[d].succeeded += 1
            counters.succeeded += 1
            finish(id, .succeeded, &actions)
        case .throttled(let retryAfter):
            states[d].ledger.settle(entry, tokens: 0, requests: 0)
            states[d].ledger.throttle(now: self.now, wait: clampedRetryAfter(retryAfter ?? configuration.defaultThrottleWait))
            states[d].throttled += 1
            counters.throttled += 1
            retryOrFail(id, &record, from: d, delay: 0, reason: "throttled (429) by '\(name)'", &actions)
        case .transientFailure(let retryAfter, let message):
            states[d].failed += 1
            counters.transientFailures += 1
            let delay = retryAfter.map(clampedRetryAfter)
                ?? configuration.retry.backoff(retry: record.attempts, random: &random).nanoseconds
            retryOrFail(id, &record, from: d, delay: delay, reason: "'\(name)' failed: \(message)", &actions)
        case .permanentFailure(let message):
            states[d].failed += 1
            counters.failed += 1
            finish(id, .failed(HeadroomError(.rejectedByProvider, "Deployment '\(name)' rejected job \(id) on attempt \(record.attempts): \(message)")), &actions)
        }
        finishEvent(&actions)
        return actions
    }

    /// The caller gave up on a job. A waiting job leaves the queue; a job in
    /// flight frees its concurrency slot (its charge stays: the provider saw it)
    /// and the driver should abort its request.
    public mutating func cancel(_ id: JobID, now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        advance(to: now, &actions)
        if record(id) == nil {
            counters.staleEvents += 1
        } else {
            cancelJob(id, &actions)
        }
        finishEvent(&actions)
        return actions
    }

    /// Cancels every job that has not ended, for a driver that shuts down.
    public mutating func cancelAll(now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        advance(to: now, &actions)
        for slot in slots.indices where slots[slot].record != nil {
            cancelJob(JobID(slot: slot, generation: slots[slot].generation), &actions)
        }
        finishEvent(&actions)
        return actions
    }

    /// A deployment's rate-limit headers seen outside a completion (a probe, another client).
    /// Observations for unknown deployments are ignored and counted as stale.
    public mutating func observe(_ rateLimits: RateLimitObservation, for deployment: DeploymentID, now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        advance(to: now, &actions)
        if let d = indexByID[deployment] {
            states[d].ensureAdvanced(to: self.now)
            states[d].ledger.observe(rateLimits, now: self.now, deployment: deployments[d])
        } else {
            counters.staleEvents += 1
        }
        finishEvent(&actions)
        return actions
    }

    /// A wake-up the scheduler asked for is due (early or spurious ones are harmless).
    public mutating func tick(now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        advance(to: now, &actions)
        finishEvent(&actions)
        return actions
    }

    // MARK: Shared steps

    /// Moves the clock forward and fires due timers.
    private mutating func advance(to instant: Instant, _ actions: inout [SchedulerAction]) {
        now = max(now, instant.nanoseconds)
        if let requested = requestedWakeup, requested <= now { requestedWakeup = nil }
        while let timer = timers.popDue(now: now) {
            guard var record = record(timer.job) else { continue }
            switch (timer.kind, record.state) {
            case (.retry, .backingOff(let until)) where until == timer.at:
                backingOff -= 1
                if let error = giveUpError(timer.job, record) {
                    counters.expired += 1
                    finish(timer.job, .failed(error), &actions)
                } else {
                    record.state = .queued
                    slots[timer.job.slot].record = record
                    queue.enqueue(queuedJob(timer.job, record))
                }
            case (.giveUp, .queued), (.giveUp, .backingOff):
                if let error = giveUpError(timer.job, record) { expire(timer.job, error, &actions) }
            default:
                continue
            }
        }
    }

    /// Dispatches what fits, then asks for the next wake-up if it changed.
    private mutating func finishEvent(_ actions: inout [SchedulerAction]) {
        var next = fill(&actions)
        while let timer = timers.first, isStale(timer) { timers.removeFirst() }
        if let timer = timers.earliest { next = min(next, timer) }
        guard next != .max else { return }
        if next <= now { next = now + 1_000_000 }
        if next != requestedWakeup {
            requestedWakeup = next
            actions.append(.scheduleWakeup(at: Instant(nanoseconds: next)))
        }
    }

    /// A timer whose job has ended, or a back-off timer the job no longer waits on.
    private func isStale(_ timer: TimerHeap.Timer) -> Bool {
        guard let record = record(timer.job) else { return true }
        if timer.kind == .retry, case .backingOff(let until) = record.state { return until != timer.at }
        return timer.kind == .retry
    }

    private mutating func retryOrFail(
        _ id: JobID, _ record: inout JobRecord, from d: Int, delay: Int64, reason: String, _ actions: inout [SchedulerAction]
    ) {
        record.lastFailure = reason
        if record.attempts >= configuration.retry.maxAttempts {
            counters.failed += 1
            let error = HeadroomError(.attemptsExhausted, "Job \(id) failed all \(record.attempts) attempts allowed (RetryPolicy.maxAttempts); the last was \(reason).")
            finish(id, .failed(error), &actions)
            return
        }
        if let error = giveUpError(id, record) {
            counters.expired += 1
            finish(id, .failed(error), &actions)
            return
        }
        counters.retries += 1
        record.avoid = d
        if delay <= 0 {
            record.state = .queued
            slots[id.slot].record = record
            queue.enqueue(queuedJob(id, record))
        } else {
            let until = now.addingSaturating(delay)
            record.state = .backingOff(until: until)
            slots[id.slot].record = record
            backingOff += 1
            timers.schedule(at: until, job: id, kind: .retry)
        }
    }

    private mutating func cancelJob(_ id: JobID, _ actions: inout [SchedulerAction]) {
        guard let record = record(id) else { return }
        switch record.state {
        case .queued: _ = queue.remove(id)
        case .backingOff: backingOff -= 1
        case .inFlight(let d, _):
            states[d].inFlight -= 1
            inFlight -= 1
        }
        counters.cancelled += 1
        finish(id, .cancelled, &actions)
    }

    /// Ends a waiting job whose deadline or maximum queue wait passed.
    private mutating func expire(_ id: JobID, _ error: HeadroomError, _ actions: inout [SchedulerAction]) {
        guard let record = record(id) else { return }
        switch record.state {
        case .queued: _ = queue.remove(id)
        case .backingOff: backingOff -= 1
        case .inFlight: return
        }
        counters.expired += 1
        finish(id, .failed(error), &actions)
    }

    private func giveUpError(_ id: JobID, _ record: JobRecord) -> HeadroomError? {
        guard let at = record.giveUpAt, now >= at else { return nil }
        let waited = Instant(nanoseconds: now) - Instant(nanoseconds: record.arrival)
        if record.giveUpKind == .deadlineExceeded {
            return HeadroomError(.deadlineExceeded, "Job \(id) reached its deadline \(Instant(nanoseconds: at)) after waiting \(waited) in \(record.attempts) attempt(s)\(record.lastFailure.map { "; the last was \($0)" } ?? "").")
        }
        return HeadroomError(.queueWaitExceeded, "Job \(id) waited \(waited), beyond SchedulerConfiguration.maxQueueWait, in \(record.attempts) attempt(s)\(record.lastFailure.map { "; the last was \($0)" } ?? ""). Add capacity or allow longer waits.")
    }

    func record(_ id: JobID) -> JobRecord? {
        guard id.slot < slots.count, slots[id.slot].generation == id.generation else { return nil }
        return slots[id.slot].record
    }

    func queuedJob(_ id: JobID, _ record: JobRecord) -> QueuedJob {
        QueuedJob(id: id, priority: record.job.priority, arrival: Instant(nanoseconds: record.arrival),
                  sequence: record.sequence, tokens: record.job.contextTokens)
    }

    mutating func finish(_ id: JobID, _ result: JobResult, _ actions: inout [SchedulerAction]) {
        actions.append(.finish(id, result))
        releaseSlot(id.slot)
    }

    private mutating func allocateSlot() -> JobID {
        if let slot = freeSlots.popLast() {
            return JobID(slot: slot, generation: slots[slot].generation)
        }
        slots.append(Slot())
        return JobID(slot: slots.count - 1, generation: 0)
    }

    private mutating func releaseSlot(_ slot: Int) {
        slots[slot].record = nil
        slots[slot].generation &+= 1
        freeSlots.append(slot)
    }

    private func clampedRetryAfter(_ wait: Duration) -> Int64 {
        min(max(0, wait.nanoseconds), configuration.retry.maxRetryAfter.nanoseconds)
    }

    /// The deployments that could ever serve `job`, and why the others cannot.
    private mutating func eligibleDeployments(for job: Job) -> ([Int], String) {
        let serving: [Int]
        if let cached = eligibilityCache[job.models] {
            serving = cached
        } else {
            serving = deployments.indices.filter { deployments[$0].serves(anyOf: job.models) }
            eligibilityCache[job.models] = serving
        }
        func fits(_ d: Int) -> Bool {
            let deployment = deployments[d]
            return job.contextTokens <= deployment.contextWindow ?? .max
                && deployment.charge.reservation(for: job) <= deployment.tokensPerMinute
        }
        if serving.allSatisfy(fits) && !serving.isEmpty { return (serving, "") }
        let eligible = serving.filter(fits)
        guard eligible.isEmpty else { return (eligible, "") }
        var reasons: [String] = []
        for deployment in deployments.prefix(8) {
            if !deployment.serves(anyOf: job.models) {
                reasons.append("'\(deployment.id)' does not serve \(job.models.joined(separator: " or "))")
            } else if let window = deployment.contextWindow, job.contextTokens > window {
                reasons.append("'\(deployment.id)' has a context window of \(window) tokens")
            } else {
                reasons.append("'\(deployment.id)' allows \(deployment.tokensPerMinute) tokens a minute but charges the job \(deployment.charge.reservation(for: job))")
            }
        }
        if deployments.count > 8 { reasons.append("and \(deployments.count - 8) more") }
        return ([], reasons.joined(separator: "; "))
    }
}

/// What the scheduler tracks of one deployment.
struct DeploymentState: Sendable {
    var ledger: CapacityLedger
    let maxConcurrency: Int?
    var inFlight = 0
    var advancedTo: Int64 = .min
    var dispatched = 0
    var succeeded = 0
    var throttled = 0
    var failed = 0

    init(ledger: CapacityLedger, maxConcurrency: Int?) {
        self.ledger = ledger
        self.maxConcurrency = maxConcurrency
    }

    var isSaturated: Bool { inFlight >= maxConcurrency ?? .max }

    mutating func ensureAdvanced(to now: Int64) {
        if advancedTo != now {
            ledger.advance(to: now)
            advancedTo = now
        }
    }
}

/// One job's life inside the scheduler.
struct JobRecord: Sendable {
    enum State: Sendable {
        case queued
        case inFlight(deployment: Int, entry: Int)
        case backingOff(until: Int64)
    }

    var job: Job
    var eligible: [Int]
    var sequence: UInt64
    var arrival: Int64
    var state = State.queued
    var attempts = 0
    /// The deployment the last attempt failed on, to avoid when another has room.
    var avoid = -1
    var timesPassed = 0
    var giveUpAt: Int64?
    var giveUpKind = HeadroomError.Kind.queueWaitExceeded
    var lastFailure: String?
}

struct Slot: Sendable {
    var generation: UInt32 = 0
    var record: JobRecord?
}
