extension SchedulerCore {
    /// Dispatches every waiting job that can go now and returns the earliest
    /// instant at which capacity returns for one that cannot (`Int64.max` if
    /// none is waiting for time rather than for a completion).
    ///
    /// One pass over the queue in the policy's order: a job that cannot be
    /// placed *claims* the deployments it could use, and later jobs may take a
    /// claimed deployment only where the queue policy lets them pass. Placing a
    /// job only ever reduces capacity at a fixed instant, so a job found blocked
    /// stays blocked for the rest of the pass and the pass never restarts.
    ///
    /// The jobs the last pass found blocked, at the head of the queue, are
    /// found blocked again without judging them while their waits last and
    /// nothing has changed where they fit (see ``isStillBlocked(_:as:)``).
    mutating func fill<Q: QueuePolicy, A: AllocationPolicy>(
        _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) -> Int64 {
        var wakeup = Int64.max
        var position = 0
        var replayable = 0
        // Passing makes a job's claim depend on the jobs that passed it: those queues judge afresh.
        if configuration.remembersBlockedJobs && !blocked.isEmpty && fitChanges == lastPassFitChanges && !queue.allowsPassing {
            swap(&blocked, &lastBlocked)
            replayable = lastBlocked.count
        }
        lastPassFitChanges = fitChanges
        let reserve = configuration.tenantReserve
        if replayable > 0 && lastPassClaimedAll && reserve == 0, let resumed = resumeClaims() {
            if roomyClaims > 0 {
                if !keepsWaitingBySize { startIndexingBySize(queue) }
                backfillBySize(after: blocked[blocked.count - 1].job.sequence, &queue, &allocation, &actions)
            }
            return resumed
        }
        lastPassClaimedAll = false
        clearClaims()
        guard queue.count > 0 else { return wakeup }
        if reserve > 0 {
            shares.advance(to: now)
            heldBackTenants.removeAll(keepingCapacity: true)
        }
        // With every deployment at its concurrency cap only a completion can help.
        while saturated < states.count, position < configuration.lookahead, let next = queue.job(at: position) {
            guard isLive(next.id) else {
                // The policy returned a job the scheduler no longer has: drop it rather than spin.
                _ = queue.remove(at: position)
                replayable = min(replayable, position)
                continue
            }
            // A job its tenant's limits hold back claims nothing: other tenants' jobs go ahead.
            let tenantAt = tenantAdmission(of: next)
            if tenantAt > now {
                if !(position < replayable && lastBlocked[position].job.id == next.id && lastBlocked[position].isTenantLimited) { replayable = 0 }
                wakeup = min(wakeup, tenantAt)
                blocked.append(BlockedJob(job: next, earliest: EarliestFit(at: tenantAt, deployment: EarliestFit.tenantLimited, charge: 0)))
                position += 1
                continue
            }
            // A tenant over its share leaves the reserve free for the others, and claims nothing.
            if reserve > 0 && next.tenant != .none && shares.isOverShare(next.tenant) {
                replayable = 0
                var earliest = EarliestFit()
                if !heldBackTenants.contains(next.tenant) {
                    earliest = collectCandidates(for: next, queue, keeping: reserve)
                    if dispatchToCandidate(next, at: position, &queue, &allocation, &actions) { continue }
                    heldBackTenants.append(next.tenant)
                }
                wakeup = min(wakeup, earliest.at)
                blocked.append(BlockedJob(job: next, earliest: EarliestFit(at: earliest.at, deployment: EarliestFit.tenantLimited, charge: 0)))
                position += 1
                continue
            }
            let earliest: EarliestFit
            if position < replayable && !lastBlocked[position].isTenantLimited && isStillBlocked(next, as: lastBlocked[position]) {
                earliest = lastBlocked[position].earliest
            } else {
                replayable = 0
                earliest = collectCandidates(for: next, queue)
                if dispatchToCandidate(next, at: position, &queue, &allocation, &actions) { continue }
            }
            claim(for: next, earliest)
            wakeup = min(wakeup, earliest.at)
            blocked.append(BlockedJob(job: next, earliest: earliest))
            position += 1
            if claimedCount == states.count && !queue.allowsPassing {
                // Every deployment is claimed: a job further back goes only by backfilling.
                if roomyClaims == 0 {
                    lastPassClaimedAll = backfillsBySize && queue.ordersBySubmission && reserve == 0
                    earliestJoined = .max
                    break
                }
                if backfillsBySize && queue.ordersBySubmission && reserve == 0 {
                    lastPassClaimedAll = true
                    earliestJoined = .max
                    if !keepsWaitingBySize { startIndexingBySize(queue) }
                    backfillBySize(after: next.sequence, &queue, &allocation, &actions)
                    break
                }
            }
        }
        return wakeup
    }

    /// Where the last pass ended with every deployment claimed by the jobs it found blocked, and
    /// since then nothing changed where they fit, takes its claims and blocked jobs as they stand,
    /// with their rooms found again, if each job is where it was and still blocked; returns the
    /// earliest of their waits, or `nil` for the pass to walk them one by one.
    ///
    /// It agrees with that walk: each job's wait is checked as ``isStillBlocked(_:as:)`` checks it,
    /// but against the rooms of every claim rather than of the claims ahead of it (a deployment
    /// claimed by a job behind was open to it, and admitted it no sooner than its wait). Such a
    /// pass ends only without tenants' limits or reserve, so no job of it waits on its tenant.
    private mutating func resumeClaims() -> Int64? {
        // In submission order, they stand first while each is live and no job joined ahead of the last of them.
        guard saturated < states.count, earliestJoined > lastBlocked[lastBlocked.count - 1].job.sequence else { return nil }
        var wakeup = Int64.max
        for last in lastBlocked {
            guard isLive(last.job.id) else { return nil }
            wakeup = min(wakeup, last.earliest.at)
        }
        // Rooms are found again at this instant, for the claims the walk would make.
        roomyClaims = 0
        largestClaimRoom = -1
        for last in lastBlocked where last.claim >= 0 { claimRoom[last.claim] = -1 }
        for last in lastBlocked where last.claim >= 0 { updateRoom(last.claim) }
        for last in lastBlocked where !isStillBlocked(last.job, as: last) { return nil }
        swap(&blocked, &lastBlocked)
        earliestJoined = .max
        return wakeup
    }

    /// With every deployment claimed and the queue in submission order, finds the jobs after
    /// `sequence` that backfill a claimed deployment as walking the queue would, but among the jobs
    /// small enough for the largest room left only (``WaitingBySize``): each is judged as usual, in
    /// submission order, while it stands within the lookahead. The rest of the walk would only find
    /// jobs blocked, claiming nothing new and waking no sooner: a job too large for every room has no
    /// candidate, and one behind claims of every deployment waits for no instant of its own.
    private mutating func backfillBySize<Q: QueuePolicy, A: AllocationPolicy>(
        after sequence: UInt64, _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) {
        var after = sequence
        while saturated < states.count && roomyClaims > 0 {
            var room = 0
            for d in claimRoom.indices where claimed[d] { room = max(room, claimRoom[d]) }
            // Past the lookahead the walk would have stopped.
            let last = queue.job(at: configuration.lookahead - 1)?.sequence ?? .max
            guard let entry = waiting.first(after: after, through: last, fitting: room) else { return }
            after = entry.sequence
            // Left without being taken out of the index (a job the queue policy dropped): passed over.
            guard isLive(entry.id), case .queued = jobs[entry.id.slot].state else { continue }
            let job = jobs[entry.id.slot].queued(as: entry.id)
            guard let position = queue.position(of: job), position < configuration.lookahead else { return }
            _ = collectCandidates(for: job, queue)
            _ = dispatchToCandidate(job, at: position, &queue, &allocation, &actions)
        }
    }

    /// Dispatches `job`, at `position` in the queue, to the candidate the allocation policy
    /// chooses, if ``collectCandidates(for:_:keeping:)`` found any; returns whether it did.
    private mutating func dispatchToCandidate<Q: QueuePolicy, A: AllocationPolicy>(
        _ job: QueuedJob, at position: Int, _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) -> Bool {
        guard !candidates.isEmpty else { return false }
        let chosen = allocation.choose(for: job, among: candidates, random: &random)
        let d = candidates[min(max(0, chosen), candidates.count - 1)].index
        _ = queue.remove(at: position)
        leftQueue(job.id)
        notePasses(to: d)
        dispatch(job.id, to: d, &actions)
        if claimRoom[d] >= 0 { updateRoom(d) }
        return true
    }

    /// Whether `job`, which the last pass found blocked as `last` at the same
    /// position with the same jobs ahead, would be found so again, with the
    /// same claim, now that this pass has claimed again for the jobs ahead.
    ///
    /// It would while its wait lasts, if since that pass no deployment changed
    /// other than by reservations and the passing of time (``fitChanges``)
    /// and no claimed deployment now has room for it to backfill. Reservations
    /// only delay a wait, and since a queue that allows no passing lets a job
    /// onto a claimed deployment only to backfill, which never delays the
    /// claimant, the deployment it claimed still fits it first.
    /// (Mutating in name only: as a plain method it would be called on a copy of the scheduler's state.)
    private mutating func isStillBlocked(_ job: QueuedJob, as last: BlockedJob) -> Bool {
        guard job.id == last.job.id, now < last.earliest.at else { return false }
        guard roomyClaims > 0 else { return true }
        let slot = job.id.slot
        // Its least charge on any deployment (0 until the index by size finds it) fits no claim's room.
        guard jobs[slot].smallestCharge <= largestClaimRoom else { return true }
        for k in jobs[slot].eligible.indices {
            let d = jobs[slot].eligible[k]
            if claimed[d] && backfills(d, reservation(slot: slot, on: d)) { return false }
        }
        return true
    }

    /// Claims, for a job that cannot go now, the deployment where it will fit
    /// first (`earliest`, found while collecting candidates), so that jobs
    /// behind it may use the others. Where every deployment it could use waits
    /// on a completion rather than on time, it claims them all: any of them may free first.
    private mutating func claim(for job: QueuedJob, _ earliest: EarliestFit) {
        let d = earliest.deployment
        guard d != EarliestFit.everyDeployment else {
            for d in jobs[job.id.slot].eligible { claim(d) }
            return
        }
        claim(d)
        claimAt[d] = earliest.at
        claimCharge[d] = earliest.charge
        updateRoom(d)
    }

    /// Recomputes how large a job may backfill deployment `d`, claimed until `claimAt[d]`.
    private mutating func updateRoom(_ d: Int) {
        var room = -1
        // Output limited apart takes no backfilling: room would have two sizes.
        if configuration.backfill && !states[d].limitsOutput {
            // (A claim found again without judging may find the ledger not yet advanced: this advances it.)
            room = states[d].ledger.backfillRoom(now: now, besides: claimCharge[d], at: claimAt[d])
        }
        if (claimRoom[d] > 0) != (room > 0) { roomyClaims += room > 0 ? 1 : -1 }
        claimRoom[d] = room
        largestClaimRoom = max(largestClaimRoom, room)
    }

    private mutating func claim(_ d: Int) {
        if !claimed[d] {
            claimed[d] = true
            claimedCount += 1
        }
    }

    /// Fills `candidates` with the deployments that can take `job` now and
    /// returns, for the case that none can, where and when it fits first.
    ///
    /// A deployment that a blocked job ahead claimed is open to `job` only if
    /// the queue lets it pass every such claimant, or, for taking it now, if
    /// it is small enough to backfill (which admits by construction). With a `reserve`, a
    /// deployment takes the job only if it leaves that share of its limits free besides.
    private mutating func collectCandidates<Q: QueuePolicy>(for job: QueuedJob, _ queue: Q, keeping reserve: Double = 0) -> EarliestFit {
        candidates.removeAll()
        let slot = job.id.slot
        let avoid = jobs[slot].avoid
        var avoided: DeploymentCandidate?
        var earliest = EarliestFit()
        // By position: iterating the array itself would retain and release it.
        for k in jobs[slot].eligible.indices {
            let d = jobs[slot].eligible[k]
            if states[d].isSaturated || !states[d].takesJobs(at: now) { continue }
            let charge = reservation(slot: slot, on: d)
            // Over its enqueued-token cap the job waits on a completion, as on a concurrency cap.
            if !states[d].enqueues(charge) { continue }
            let open = !claimed[d] || mayPassClaimants(of: d, job, queue)
            if !open && !backfills(d, charge) { continue }
            let headroom: Double
            if reserve == 0, !states[d].limitsOutput, let left = states[d].ledger.summary.headroom(tokens: charge, now: now) {
                headroom = left
            } else {
                switch states[d].judge(tokens: charge, outputTokens: jobs[slot].size.maxOutputTokens, keeping: reserve, now: now) {
                case .admitted(let left):
                    headroom = left
                case .waits(let at):
                    // Wanted only if no deployment takes the job now; open ones are judged anyway.
                    if open && at < earliest.at { earliest = EarliestFit(at: at, deployment: d, charge: charge) }
                    continue
                }
            }
            let candidate = DeploymentCandidate(
                index: d, weight: states[d].weight, inFlight: states[d].inFlight,
                maxConcurrency: states[d].maxConcurrency, headroom: headroom
            )
            if d == avoid { avoided = candidate } else { candidates.append(candidate) }
        }
        // A retried job prefers another deployment, but takes the one it failed on rather than wait.
        if candidates.isEmpty, let avoided { candidates.append(avoided) }
        return earliest
    }

    /// Whether `job` may pass every blocked job ahead of it that claimed deployment `d`.
    /// (Inlined: a call would copy the scheduler's state.)
    @inline(__always)
    private func mayPassClaimants<Q: QueuePolicy>(of d: Int, _ job: QueuedJob, _ queue: Q) -> Bool {
        guard queue.allowsPassing else { return false }
        for ahead in blocked where claims(ahead, d) {
            if !queue.mayPass(job, blocked: ahead.job, timesPassed: jobs[ahead.job.id.slot].timesPassed) { return false }
        }
        return true
    }

    /// Counts a pass against every blocked job ahead that claimed deployment `d`.
    private mutating func notePasses(to d: Int) {
        guard claimed[d] else { return }
        for ahead in blocked where claims(ahead, d) {
            jobs[ahead.job.id.slot].timesPassed += 1
        }
    }

    /// Whether a job charged `charge` may take deployment `d`, claimed by a
    /// blocked job ahead, because it would not delay that job (conservative backfilling).
    private func backfills(_ d: Int, _ charge: Int) -> Bool {
        charge <= claimRoom[d]
    }

    private func claims(_ blocked: BlockedJob, _ d: Int) -> Bool {
        blocked.claim == d || (blocked.claim == EarliestFit.everyDeployment && jobs[blocked.job.id.slot].eligible.contains(d))
    }

    /// When the limits of `job`'s tenant admit it: `Int64.min` for a tenant without limits, and for a
    /// job dispatched before (charged at its first attempt, a retry is not charged again).
    private func tenantAdmission(of job: QueuedJob) -> Int64 {
        guard job.tenant != .none, jobs[job.id.slot].attempts == 0, let budget = tenantBudgets[Int(job.tenant.rawValue) - 1] else { return .min }
        return budget.admission(charge: job.tokens)
    }

    private mutating func clearClaims() {
        guard claimedCount > 0 || !blocked.isEmpty else { return }
        for d in claimed.indices where claimed[d] {
            claimed[d] = false
            claimRoom[d] = -1
        }
        claimedCount = 0
        roomyClaims = 0
        largestClaimRoom = -1
        blocked.removeAll(keepingCapacity: true)
    }

    private mutating func dispatch(_ id: JobID, to d: Int, _ actions: inout [SchedulerAction]) {
        let tenant = jobs[id.slot].tenant
        if tenant != .none && jobs[id.slot].attempts == 0 {
            tenantBudgets[Int(tenant.rawValue) - 1]?.charge(jobs[id.slot].size.contextTokens, now: now)
        }
        let charge = reservation(slot: id.slot, on: d)
        if configuration.tenantReserve > 0 && tenant != .none { shares.dispatched(tenant, tokens: charge, now: now) }
        let entry = states[d].ledger.reserve(tokens: charge, now: now)
        if states[d].maxEnqueuedTokens != nil {
            states[d].enqueuedTokens += charge
            jobs[id.slot].enqueued = charge
        }
        if states[d].limitsOutput {
            jobs[id.slot].outputEntry = states[d].outputLedger?.reserve(tokens: jobs[id.slot].size.maxOutputTokens, now: now) ?? -1
        }
        // A deployment out of rotation takes one job at a time, as a probe.
        if states[d].outOfRotation != nil { states[d].probing = true }
        jobs[id.slot].state = .inFlight(deployment: d, entry: entry)
        jobs[id.slot].attempts += 1
        jobs[id.slot].lastDeployment = d
        states[d].inFlight += 1
        if states[d].isSaturated {
            saturated += 1
            // A blocked job skips a saturated deployment: it may no longer fit first where it claimed.
            if claimed[d] { fitChanges += 1 }
        }
        states[d].dispatched += 1
        inFlight += 1
        counters.dispatched += 1
        actions.append(.dispatch(id, to: states[d].id, attempt: jobs[id.slot].attempts))
    }
}

/// Where and when a blocked job fits first: the deployment (``everyDeployment``:
/// none fits by waiting alone, each it may use waits on a completion;
/// ``tenantLimited``: its tenant's limits hold it back), the instant and its charge there.
struct EarliestFit: Sendable {
    var at = Int64.max
    var deployment = Self.everyDeployment
    var charge = 0

    /// Each deployment the job may use waits on a completion: it claims them all.
    static let everyDeployment = -1
    /// The job's tenant is over its limits until `at`: it claims none.
    static let tenantLimited = -2
}

/// A job the dispatch pass found blocked, and where and when it fits first.
struct BlockedJob: Sendable {
    var job: QueuedJob
    var earliest: EarliestFit

    /// The deployment it claimed (``EarliestFit/everyDeployment``: all it could use; ``EarliestFit/tenantLimited``: none).
    var claim: Int { earliest.deployment }

    /// Whether its tenant's limits held it back.
    var isTenantLimited: Bool { earliest.deployment == EarliestFit.tenantLimited }
}
