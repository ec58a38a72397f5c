/// All of the scheduler's state and logic. Not generic, so that its fields
/// are reached directly even where the policies' types are not known; the
/// policies come in as `inout` arguments, and calling them is the only generic
/// work. ``Scheduler`` is its public face.
struct SchedulerCore: Sendable {
    let configuration: SchedulerConfiguration
    let deployments: [Deployment]
    var counters = SchedulerCounters()

    var states: [DeploymentState]
    let indexByID: [DeploymentID: Int]
    var random: SeededRandom
    var jobs: [JobRecord] = []
    var freeSlots: [Int] = []
    var timers = TimerHeap()
    var nextSequence: UInt64 = 0
    var now: Int64 = .min
    var requestedWakeup: Int64?
    /// The mean charge (prompt plus output) of recent submissions, for ``expectedDrain(of:)``.
    var meanCharge = RunningMean(window: 1_000)
    /// Jobs waiting or backing off when the last event ended.
    var waitingCount = 0
    /// The earliest instant a deployment out of rotation falls due for a probe, if it is still ahead.
    var nextProbe = Int64.max
    var eligibility: [EligibilityKey: EligibilityGroup] = [:]
    /// Tenants by name, numbered in the order they first arrive, and their names by number less one.
    var tenants: [String: TenantID] = [:]
    var tenantNames: [String] = []
    /// What each tenant with limits owes them, by number less one (`nil`: no limits).
    var tenantBudgets: [TenantBudget?] = []
    /// Each tenant's weight, by number less one.
    var tenantWeights: [Double] = []
    /// Who is over its share of recent service, kept while ``SchedulerConfiguration/tenantReserve`` is on.
    var shares = TenantShares()
    /// The waiting jobs by size: where the dispatch pass looks for a job to backfill (see ``SchedulerCore/fill(_:_:_:)``).
    var waiting = WaitingBySize()
    /// Whether the dispatch pass may look for jobs to backfill in ``waiting`` (with a queue in submission
    /// order): with backfilling, and blocked jobs remembered (off, every job is judged afresh: the oracle),
    /// and no tenant's rate limits (a job they hold back wakes the pass at an instant of its own).
    let backfillsBySize: Bool
    /// Whether ``waiting`` is kept: from the first pass that looks for a job to backfill in it (a
    /// scheduler that never needs it pays nothing for it).
    var keepsWaitingBySize = false
    /// One deployment of each way of charging: a job's least charge on them is a bound below its charge anywhere.
    let chargeRepresentatives: [Int]
    /// Tenants whose first job in this dispatch pass was held back by the reserve: their later jobs wait too.
    var heldBackTenants: [TenantID] = []
    var lastEligibility: (key: EligibilityKey, group: EligibilityGroup)?
    var backingOff = 0
    var inFlight = 0
    /// Deployments at their concurrency cap: when all are, nothing can be dispatched.
    var saturated = 0
    // Buffers reused by the dispatch pass.
    var candidates = DeploymentCandidates()
    var claimed: [Bool]
    var claimedCount = 0
    /// Per deployment claimed until an instant: that instant, the claimant's
    /// charge, and the largest charge that may backfill it (-1: none).
    var claimAt: [Int64]
    var claimCharge: [Int]
    var claimRoom: [Int]
    /// Claimed deployments with room to backfill.
    var roomyClaims = 0
    /// The largest room a claim has had in this pass: no claim now has more.
    var largestClaimRoom = -1
    var blocked: [BlockedJob] = []
    /// The jobs the last pass found blocked, in queue order.
    var lastBlocked: [BlockedJob] = []
    /// Counts the changes, other than reservations and the passing of time,
    /// that can move where or when a waiting job fits: a settled charge, a
    /// 429, adopted headers, a deployment leaving its concurrency cap or
    /// entering or leaving rotation, a claimed deployment reaching its cap.
    var fitChanges = 0
    /// ``fitChanges`` when the last pass began: while it is the same, that pass's blocked jobs still are.
    var lastPassFitChanges = 0
    /// Whether the last pass ended with every deployment claimed by the jobs it found blocked
    /// (``lastBlocked`` after it), backfilling by size or with no room to.
    var lastPassClaimedAll = false
    /// The least submission sequence of a job that joined the queue since then (`UInt64.max`: none):
    /// while it is past the last of those blocked jobs, those still live stand at the queue's head.
    var earliestJoined = UInt64.max

    init(deployments: [Deployment], configuration: SchedulerConfiguration) throws(HeadroomError) {
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
        backfillsBySize = configuration.backfill && configuration.remembersBlockedJobs
            && !configuration.tenantLimits.values.contains { $0.requestsPerMinute != nil || $0.tokensPerMinute != nil }
        var seenRules: Set<String> = []
        chargeRepresentatives = deployments.indices.filter { d in
            if case .custom = deployments[d].charge { return true }
            return seenRules.insert("\(deployments[d].charge)").inserted
        }
        self.states = deployments.map { DeploymentState($0, configuration: configuration) }
        if configuration.initialShare != 1 {
            for d in states.indices {
                states[d].ledger.setShare(configuration.initialShare, now: 0)
                states[d].outputLedger?.setShare(configuration.initialShare, now: 0)
            }
        }
        self.random = SeededRandom(seed: configuration.seed)
        self.claimed = Array(repeating: false, count: deployments.count)
        self.claimAt = Array(repeating: 0, count: deployments.count)
        self.claimCharge = Array(repeating: 0, count: deployments.count)
        self.claimRoom = Array(repeating: -1, count: deployments.count)
        self.candidates = DeploymentCandidates(capacity: deployments.count)
    }

    // MARK: Events

    mutating func submit<Q: QueuePolicy, A: AllocationPolicy>(
        _ job: consuming Job, now: Instant, _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) -> JobID {
        advance(to: now, &queue, &actions)
        let id = allocateSlot()
        let sequence = nextSequence
        nextSequence += 1
        counters.submitted += 1
        meanCharge.add(Double(JobSize(job).contextTokens))

        var eligible: [Int] = []
        var rejection: HeadroomError?
        if let problem = job.validationProblem() {
            rejection = HeadroomError(.invalidJob, "Job \(id.number): \(problem)")
        } else {
            let (servable, reasons) = eligibleDeployments(for: job)
            eligible = servable
            if servable.isEmpty {
                rejection = HeadroomError(.unservable, "No deployment can ever serve \(id) (\(job.promptTokens) prompt + \(job.maxOutputTokens) output tokens): \(reasons). Send it elsewhere, shorten it, or add a deployment that fits.")
            } else if let error = strandedError(id, servable) {
                rejection = error
            } else if let deadline = job.deadline, deadline.nanoseconds <= self.now {
                rejection = HeadroomError(.deadlineExceeded, "Job \(id.number) arrived at \(Instant(nanoseconds: self.now)), at or after its deadline \(deadline).")
            }
        }
        if let rejection {
            counters.rejected += 1
            // The slot may still hold an earlier job's record: this one was never dispatched.
            jobs[id.slot].attempts = 0
            jobs[id.slot].lastDeployment = -1
            finish(id, .failed(rejection), &actions)
        } else {
            let deadline = job.deadline?.nanoseconds
            // The job moves into its slot: its strings and arrays are not copied.
            let tenant = tenantID(for: job.tenant)
            jobs[id.slot] = JobRecord(job: job, eligible: consume eligible, sequence: sequence, arrival: self.now)
            jobs[id.slot].tenant = tenant
            if tenant != .none {
                jobs[id.slot].tenantWeight = tenantWeights[Int(tenant.rawValue) - 1]
                if configuration.tenantReserve > 0 { shares.arrived(tenant) }
            }
            jobs[id.slot].generation = id.generation
            jobs[id.slot].isLive = true
            if let wait = configuration.maxQueueWait {
                jobs[id.slot].giveUpAt = self.now.addingSaturating(wait.nanoseconds)
            }
            if let deadline, deadline < jobs[id.slot].giveUpAt ?? .max {
                jobs[id.slot].giveUpAt = deadline
                jobs[id.slot].giveUpKind = .deadlineExceeded
            }
            if let giveUp = jobs[id.slot].giveUpAt { timers.schedule(at: giveUp, job: id, kind: .giveUp) }
            enqueue(jobs[id.slot].queued(as: id), &queue)
        }
        finishEvent(&queue, &allocation, &actions)
        // The bound is on jobs that wait: a newcomer that could not go at once, over the bound, is refused.
        if let bound = configuration.maxQueueLength, queue.count > bound, isLive(id), case .queued = jobs[id.slot].state {
            _ = queue.remove(id)
            leftQueue(id)
            counters.rejected += 1
            let retryAfter = expectedDrain(of: queue.count)
            let error = HeadroomError(.queueFull, "Job \(id.number) was rejected: \(queue.count) jobs are already waiting, the maximum (SchedulerConfiguration.maxQueueLength). Retry in \(retryAfter), when they are expected to have gone, or raise the bound if waits are acceptable.", retryAfter: retryAfter)
            finish(id, .failed(error), &actions)
        }
        return id
    }

    /// The number of tenant `name`, given it on its first arrival.
    mutating func tenantID(for name: String?) -> TenantID {
        guard let name else { return .none }
        if let known = tenants[name] { return known }
        tenantNames.append(name)
        tenantBudgets.append(TenantBudget(configuration.tenantLimits[name]))
        tenantWeights.append(configuration.tenantLimits[name]?.weight ?? 1)
        shares.addTenant(weight: tenantWeights[tenantWeights.count - 1])
        let id = TenantID(rawValue: UInt32(truncatingIfNeeded: tenantNames.count))
        tenants[name] = id
        return id
    }

    mutating func complete<Q: QueuePolicy, A: AllocationPolicy>(
        _ id: JobID, outcome: AttemptOutcome, rateLimits: RateLimitObservation?, now: Instant,
        _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) {
        advance(to: now, &queue, &actions)
        guard isLive(id), case .inFlight(let d, let entry) = jobs[id.slot].state else {
            counters.staleEvents += 1
            finishEvent(&queue, &allocation, &actions)
            return
        }
        leave(d, id.slot)
        if states[d].probing { endProbe(d, outcome) }
        states[d].ledger.advance(to: self.now)
        if states[d].limitsOutput { states[d].outputLedger?.advance(to: self.now) }
        let outputEntry = jobs[id.slot].outputEntry
        // Whether the ledger changed other than by time: jobs told to wait may fit sooner or elsewhere.
        var changed = false
        if let rateLimits {
            let admitted = if case .succeeded = outcome { true } else { false }
            changed = states[d].observe(rateLimits, seenThrough: entry, outputSeenThrough: outputEntry, admitted: admitted, now: self.now)
        }
        let name = states[d].id
        switch outcome {
        case .succeeded(let usage):
            let tokens = states[d].charge.settlement(for: jobs[id.slot].size, usage: usage)
                ?? states[d].charge.settlement(for: jobs[id.slot].job, usage: usage)
            if states[d].ledger.settle(entry, tokens: tokens, requests: 1, now: self.now) { changed = true }
            if states[d].limitsOutput,
               states[d].outputLedger?.settle(outputEntry, tokens: max(0, usage.completionTokens), requests: 1, now: self.now) == true { changed = true }
            queue.settled(jobs[id.slot].queued(as: id), usage: usage)
            states[d].succeeded += 1
            counters.succeeded += 1
            finish(id, .succeeded, usage: usage, &actions)
        case .throttled(let retryAfter):
            states[d].ledger.settle(entry, tokens: 0, requests: 0, now: self.now)
            let wait = clampedRetryAfter(retryAfter ?? configuration.defaultThrottleWait)
            states[d].ledger.throttle(now: self.now, wait: wait, named: retryAfter != nil)
            if states[d].limitsOutput {
                states[d].outputLedger?.settle(outputEntry, tokens: 0, requests: 0, now: self.now)
                states[d].outputLedger?.throttle(now: self.now, wait: wait, named: retryAfter != nil)
            }
            changed = true
            states[d].throttled += 1
            counters.throttled += 1
            retryOrFail(id, from: d, delay: 0, reason: "throttled (429) by '\(name)'", &queue, &actions)
        case .transientFailure(let retryAfter, let message):
            states[d].failed += 1
            counters.transientFailures += 1
            // Not `retryAfter.map(clampedRetryAfter)`: the closure would copy the scheduler's state.
            let delay = if let retryAfter { clampedRetryAfter(retryAfter) } else {
                configuration.retry.backoff(retry: jobs[id.slot].attempts, random: &random).nanoseconds
            }
            retryOrFail(id, from: d, delay: delay, reason: "'\(name)' failed: \(message)", &queue, &actions)
        case .deploymentUnavailable(let message):
            states[d].ledger.settle(entry, tokens: 0, requests: 0, now: self.now)
            if states[d].limitsOutput { states[d].outputLedger?.settle(outputEntry, tokens: 0, requests: 0, now: self.now) }
            states[d].failed += 1
            disable(d, because: message, &queue, &actions)
            retryOrFail(id, from: d, delay: 0, reason: "'\(name)' is unavailable: \(message)", &queue, &actions)
        case .batchUnfinished(let message):
            states[d].ledger.settle(entry, tokens: 0, requests: 0, now: self.now)
            if states[d].limitsOutput { states[d].outputLedger?.settle(outputEntry, tokens: 0, requests: 0, now: self.now) }
            states[d].failed += 1
            counters.resentFromBatch += 1
            resendSynchronously(id, from: d, reason: "'\(name)' did not serve it: \(message)", &queue, &actions)
        case .permanentFailure(let message):
            states[d].failed += 1
            counters.failed += 1
            let error = HeadroomError(.rejectedByProvider, "Deployment '\(name)' rejected \(id) on attempt \(jobs[id.slot].attempts): \(message)")
            finish(id, .failed(error), &actions)
        case .brokenAnswer(let message):
            states[d].failed += 1
            counters.failed += 1
            let error = HeadroomError(.brokenAnswer, "Deployment '\(name)' accepted \(id) on attempt \(jobs[id.slot].attempts), "
                                      + "then its answer broke (not sent again: it may have been served): \(message)")
            finish(id, .failed(error), &actions)
        }
        if changed { fitChanges += 1 }
        finishEvent(&queue, &allocation, &actions)
    }

    mutating func cancel<Q: QueuePolicy, A: AllocationPolicy>(
        _ id: JobID, now: Instant, _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) {
        advance(to: now, &queue, &actions)
        if !isLive(id) {
            counters.staleEvents += 1
        } else {
            cancelJob(id, &queue, &actions)
        }
        finishEvent(&queue, &allocation, &actions)
    }

    mutating func cancelAll<Q: QueuePolicy, A: AllocationPolicy>(
        now: Instant, _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) {
        advance(to: now, &queue, &actions)
        for slot in jobs.indices where jobs[slot].isLive {
            cancelJob(JobID(slot: slot, generation: jobs[slot].generation), &queue, &actions)
        }
        finishEvent(&queue, &allocation, &actions)
    }

    mutating func observe<Q: QueuePolicy, A: AllocationPolicy>(
        _ rateLimits: RateLimitObservation, for deployment: DeploymentID, now: Instant, _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) {
        advance(to: now, &queue, &actions)
        if let d = indexByID[deployment] {
            if states[d].observe(rateLimits, seenThrough: nil, admitted: false, now: self.now) { fitChanges += 1 }
        } else {
            counters.staleEvents += 1
        }
        finishEvent(&queue, &allocation, &actions)
    }

    mutating func enable<Q: QueuePolicy, A: AllocationPolicy>(
        _ deployment: DeploymentID, now: Instant, _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) {
        advance(to: now, &queue, &actions)
        if let d = indexByID[deployment] {
            bringBack(d)
        } else {
            counters.staleEvents += 1
        }
        finishEvent(&queue, &allocation, &actions)
    }

    mutating func tick<Q: QueuePolicy, A: AllocationPolicy>(
        now: Instant, _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) {
        advance(to: now, &queue, &actions)
        finishEvent(&queue, &allocation, &actions)
    }

    // MARK: Steps every event takes

    /// Moves the clock forward and fires due timers.
    mutating func advance<Q: QueuePolicy>(to instant: Instant, _ queue: inout Q, _ actions: inout [SchedulerAction]) {
        now = max(now, instant.nanoseconds)
        if let requested = requestedWakeup, requested <= now { requestedWakeup = nil }
        if now >= nextProbe { probesFallDue() }
        while let timer = timers.popDue(now: now) {
            guard let record = record(timer.job) else { continue }
            switch (timer.kind, record.state) {
            case (.retry, .backingOff(let until)) where until == timer.at:
                backingOff -= 1
                if let error = giveUpError(timer.job, record) {
                    counters.expired += 1
                    finish(timer.job, .failed(error), &actions)
                } else if let error = strandedError(timer.job, record.eligible) {
                    counters.failed += 1
                    finish(timer.job, .failed(error), &actions)
                } else {
                    jobs[timer.job.slot].state = .queued
                    enqueue(record.queued(as: timer.job), &queue)
                }
            case (.giveUp, .queued), (.giveUp, .backingOff):
                if let error = giveUpError(timer.job, record) { expire(timer.job, error, &queue, &actions) }
            default:
                continue
            }
        }
    }

    /// Dispatches what fits, then asks for the next wake-up if it changed.
    mutating func finishEvent<Q: QueuePolicy, A: AllocationPolicy>(
        _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) {
        var next = fill(&queue, &allocation, &actions)
        waitingCount = queue.count + backingOff
        // A deployment out of rotation takes a probe when it falls due: waiting jobs may go to it then.
        if queue.count > 0 { next = min(next, nextProbe) }
        while let timer = timers.first, isStale(timer) { timers.removeFirst() }
        if let timer = timers.earliest { next = min(next, timer) }
        guard next != .max else { return }
        if next <= now { next = now + 1_000_000 }
        if next != requestedWakeup {
            requestedWakeup = next
            actions.append(.scheduleWakeup(at: Instant(nanoseconds: next)))
        }
    }

    // MARK: Job life

    private mutating func retryOrFail<Q: QueuePolicy>(
        _ id: JobID, from d: Int, delay: Int64, reason: String, _ queue: inout Q, _ actions: inout [SchedulerAction]
    ) {
        var record = jobs[id.slot]
        record.lastFailure = reason
        if record.attempts >= configuration.retry.maxAttempts {
            counters.failed += 1
            let error = HeadroomError(.attemptsExhausted, "Job \(id.number) failed all \(record.attempts) attempts allowed (RetryPolicy.maxAttempts); the last was \(reason).")
            finish(id, .failed(error), &actions)
            return
        }
        if let error = giveUpError(id, record) {
            counters.expired += 1
            finish(id, .failed(error), &actions)
            return
        }
        if let error = strandedError(id, record.eligible) {
            counters.failed += 1
            finish(id, .failed(error), &actions)
            return
        }
        counters.retries += 1
        record.avoid = d
        if delay <= 0 {
            record.state = .queued
            enqueue(record.queued(as: id), &queue)
        } else {
            let until = now.addingSaturating(delay)
            record.state = .backingOff(until: until)
            backingOff += 1
            timers.schedule(at: until, job: id, kind: .retry)
        }
        jobs[id.slot] = record
    }

    /// Sends a job a batch did not serve to a synchronous deployment, its waits counted from now:
    /// its time in the batch was not time spent waiting in the queue.
    private mutating func resendSynchronously<Q: QueuePolicy>(
        _ id: JobID, from d: Int, reason: String, _ queue: inout Q, _ actions: inout [SchedulerAction]
    ) {
        jobs[id.slot].job.acceptsBatch = false
        let (servable, reasons) = eligibleDeployments(for: jobs[id.slot].job)
        guard !servable.isEmpty else {
            counters.failed += 1
            let error = HeadroomError(.unservable, "Job \(id.number): \(reason); no synchronous deployment can serve it (\(reasons)).")
            finish(id, .failed(error), &actions)
            return
        }
        jobs[id.slot].eligible = servable
        if let wait = configuration.maxQueueWait {
            let waitEnds = now.addingSaturating(wait.nanoseconds)
            if waitEnds < jobs[id.slot].job.deadline?.nanoseconds ?? .max {
                jobs[id.slot].giveUpAt = waitEnds
                jobs[id.slot].giveUpKind = .queueWaitExceeded
            }
        }
        retryOrFail(id, from: d, delay: 0, reason: reason, &queue, &actions)
    }

    private mutating func cancelJob<Q: QueuePolicy>(_ id: JobID, _ queue: inout Q, _ actions: inout [SchedulerAction]) {
        guard let record = record(id) else { return }
        switch record.state {
        case .queued:
            _ = queue.remove(id)
            leftQueue(id)
        case .backingOff: backingOff -= 1
        case .inFlight(let d, _): leave(d, id.slot)
        }
        counters.cancelled += 1
        finish(id, .cancelled, &actions)
    }

    /// Ends a waiting job whose deadline or maximum queue wait passed.
    private mutating func expire<Q: QueuePolicy>(_ id: JobID, _ error: HeadroomError, _ queue: inout Q, _ actions: inout [SchedulerAction]) {
        guard let record = record(id) else { return }
        switch record.state {
        case .queued:
            _ = queue.remove(id)
            leftQueue(id)
        case .backingOff: backingOff -= 1
        case .inFlight: return
        }
        counters.expired += 1
        finish(id, .failed(error), &actions)
    }

    /// Takes deployment `d` out of rotation, says so, and fails the waiting jobs nothing else can serve.
    private mutating func disable<Q: QueuePolicy>(_ d: Int, because message: String, _ queue: inout Q, _ actions: inout [SchedulerAction]) {
        guard states[d].outOfRotation == nil else { return }
        states[d].outOfRotation = message
        if let probe = configuration.probeOutOfRotation {
            states[d].probeBackoff = probe.nanoseconds
            states[d].probeAt = now.addingSaturating(probe.nanoseconds)
            nextProbe = min(nextProbe, states[d].probeAt)
        }
        fitChanges += 1
        actions.append(.deploymentDisabled(states[d].id, HeadroomError(
            .deploymentUnavailable,
            "Deployment '\(states[d].id)' is out of rotation: \(message.hasSuffix(".") ? message : message + ".") Fix its credentials or configuration, then enable it."
        )))
        var stranded: [(JobID, HeadroomError)] = []
        var position = 0
        while let waiting = queue.job(at: position) {
            if isLive(waiting.id), let error = strandedError(waiting.id, jobs[waiting.id.slot].eligible) {
                stranded.append((waiting.id, error))
            }
            position += 1
        }
        for (id, error) in stranded {
            _ = queue.remove(id)
            leftQueue(id)
            counters.failed += 1
            finish(id, .failed(error), &actions)
        }
    }

    /// The error for job `id` when every one of `deployments` is out of rotation, else `nil`.
    /// (By position, and mutating in name only: a closure or a plain method would copy the scheduler's state.)
    mutating func strandedError(_ id: JobID, _ deployments: [Int]) -> HeadroomError? {
        guard !deployments.isEmpty else { return nil }
        for k in deployments.indices where states[deployments[k]].takesJobs(at: now) { return nil }
        return strandingError(id, deployments)
    }

    /// The error ``strandedError(_:_:)`` finds, built out of line as it is rare.
    @inline(never)
    private func strandingError(_ id: JobID, _ deployments: [Int]) -> HeadroomError {
        let reasons = deployments.map { "'\(states[$0].id)' (\(states[$0].outOfRotation ?? ""))" }
        return HeadroomError(.deploymentUnavailable, "Every deployment that could serve \(id) is out of rotation: \(reasons.joined(separator: ", ")). Enable one, or add another.")
    }

    /// An attempt on deployment `d` is over.
    /// The attempt of the job in `slot` leaves deployment `d`, and what it held there is free.
    private mutating func leave(_ d: Int, _ slot: Int) {
        if states[d].isSaturated {
            saturated -= 1
            fitChanges += 1
        }
        if jobs[slot].enqueued > 0 {
            states[d].enqueuedTokens -= jobs[slot].enqueued
            jobs[slot].enqueued = 0
            fitChanges += 1
        }
        states[d].inFlight -= 1
        inFlight -= 1
    }

    /// The error for a job that waited past its deadline or the longest queue wait, else `nil`.
    /// (Mutating in name only: a plain method would be called on a copy of the scheduler's state.)
    private mutating func giveUpError(_ id: JobID, _ record: JobRecord) -> HeadroomError? {
        guard let at = record.giveUpAt, now >= at else { return nil }
        let waited = Instant(nanoseconds: now) - Instant(nanoseconds: record.arrival)
        let last = record.lastFailure.map { "; the last was \($0)" } ?? ""
        if record.giveUpKind == .deadlineExceeded {
            return HeadroomError(.deadlineExceeded, "Job \(id.number) reached its deadline \(Instant(nanoseconds: at)) after waiting \(waited) in \(record.attempts) attempt(s)\(last).")
        }
        return HeadroomError(.queueWaitExceeded, "Job \(id.number) waited \(waited), beyond SchedulerConfiguration.maxQueueWait, in \(record.attempts) attempt(s)\(last). Add capacity or allow longer waits.",
                             retryAfter: expectedDrain(of: waitingCount))
    }

    /// A timer whose job has ended, or a back-off timer the job no longer waits on.
    private func isStale(_ timer: TimerHeap.Timer) -> Bool {
        guard isLive(timer.job) else { return true }
        if timer.kind == .retry, case .backingOff(let until) = jobs[timer.job.slot].state { return until != timer.at }
        return timer.kind == .retry
    }

    /// Whether `id` names a job that has not ended.
    func isLive(_ id: JobID) -> Bool {
        id.slot < jobs.count && jobs[id.slot].generation == id.generation && jobs[id.slot].isLive
    }

    func record(_ id: JobID) -> JobRecord? {
        isLive(id) ? jobs[id.slot] : nil
    }

    mutating func finish(_ id: JobID, _ result: JobResult, usage: Usage? = nil, _ actions: inout [SchedulerAction]) {
        let last = jobs[id.slot].lastDeployment
        let account = JobAccount(deployment: last < 0 ? nil : states[last].id, attempts: jobs[id.slot].attempts, usage: usage)
        actions.append(.finish(id, result, account))
        if configuration.tenantReserve > 0 && jobs[id.slot].isLive && jobs[id.slot].tenant != .none { shares.ended(jobs[id.slot].tenant) }
        // The record stays until the slot is reused: marking it is cheaper than clearing it.
        jobs[id.slot].isLive = false
        jobs[id.slot].generation &+= 1
        freeSlots.append(id.slot)
    }

    /// Takes a free slot for a new job and returns the job's identity.
    private mutating func allocateSlot() -> JobID {
        if let slot = freeSlots.popLast() {
            return JobID(slot: slot, generation: jobs[slot].generation)
        }
        jobs.append(.vacant)
        return JobID(slot: jobs.count - 1, generation: 0)
    }

    /// (Inlined: a call would copy the scheduler's state.)
    @inline(__always)
    func clampedRetryAfter(_ wait: Duration) -> Int64 {
        min(max(0, wait.nanoseconds), configuration.retry.maxRetryAfter.nanoseconds)
    }
}
