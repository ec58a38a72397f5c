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
    mutating func fill<Q: QueuePolicy, A: AllocationPolicy>(
        _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) -> Int64 {
        var wakeup = Int64.max
        var position = 0
        defer { clearClaims() }
        // With every deployment at its concurrency cap only a completion can help.
        while saturated < states.count, position < configuration.lookahead, let next = queue.job(at: position) {
            guard isLive(next.id) else {
                // The policy returned a job the scheduler no longer has: drop it rather than spin.
                _ = queue.remove(at: position)
                continue
            }
            collectCandidates(for: next, queue)
            if !candidates.isEmpty {
                let chosen = allocation.choose(for: next, among: candidates, random: &random)
                let d = candidates[min(max(0, chosen), candidates.count - 1)].index
                _ = queue.remove(at: position)
                notePasses(to: d)
                dispatch(next.id, to: d, &actions)
                continue
            }
            let size = jobs[next.id.slot].size
            for d in jobs[next.id.slot].eligible {
                // A deployment an earlier blocked job holds, and this one may not take from it,
                // is covered by that job's wake-up.
                let heldAhead = claimed[d] && !mayPassClaimants(of: d, next, queue)
                if !heldAhead && !states[d].isSaturated {
                    states[d].ensureAdvanced(to: now)
                    let charge = reservation(of: jobs[next.id.slot].job, size, on: d)
                    wakeup = min(wakeup, states[d].ledger.earliestAdmission(tokens: charge, now: now))
                }
                if !claimed[d] {
                    claimed[d] = true
                    claimedCount += 1
                }
            }
            blocked.append(next)
            position += 1
            if claimedCount == states.count && !queue.allowsPassing { break }
        }
        return wakeup
    }

    /// Fills `candidates` with the deployments that can take `job` now.
    private mutating func collectCandidates<Q: QueuePolicy>(for job: QueuedJob, _ queue: Q) {
        candidates.removeAll(keepingCapacity: true)
        let slot = job.id.slot
        let size = jobs[slot].size
        let avoid = jobs[slot].avoid
        var avoided: DeploymentCandidate?
        for d in jobs[slot].eligible {
            if states[d].isSaturated { continue }
            if claimed[d] && !mayPassClaimants(of: d, job, queue) { continue }
            states[d].ensureAdvanced(to: now)
            let charge = reservation(of: jobs[slot].job, size, on: d)
            guard states[d].ledger.admits(tokens: charge, now: now) else { continue }
            let candidate = DeploymentCandidate(
                index: d, id: states[d].id, weight: states[d].weight, inFlight: states[d].inFlight,
                maxConcurrency: states[d].maxConcurrency,
                headroom: states[d].ledger.headroom(afterCharging: charge, now: now)
            )
            if d == avoid { avoided = candidate } else { candidates.append(candidate) }
        }
        // A retried job prefers another deployment, but takes the one it failed on rather than wait.
        if candidates.isEmpty, let avoided { candidates.append(avoided) }
    }

    /// Whether `job` may pass every blocked job ahead of it that wants deployment `d`.
    private func mayPassClaimants<Q: QueuePolicy>(of d: Int, _ job: QueuedJob, _ queue: Q) -> Bool {
        guard queue.allowsPassing else { return false }
        for ahead in blocked where jobs[ahead.id.slot].eligible.contains(d) {
            if !queue.mayPass(job, blocked: ahead, timesPassed: jobs[ahead.id.slot].timesPassed) { return false }
        }
        return true
    }

    /// Counts a pass against every blocked job ahead that wanted deployment `d`.
    private mutating func notePasses(to d: Int) {
        guard claimed[d] else { return }
        for ahead in blocked where jobs[ahead.id.slot].eligible.contains(d) {
            jobs[ahead.id.slot].timesPassed += 1
        }
    }

    private mutating func clearClaims() {
        guard claimedCount > 0 || !blocked.isEmpty else { return }
        for d in claimed.indices { claimed[d] = false }
        claimedCount = 0
        blocked.removeAll(keepingCapacity: true)
    }

    private mutating func dispatch(_ id: JobID, to d: Int, _ actions: inout [SchedulerAction]) {
        let charge = reservation(of: jobs[id.slot].job, jobs[id.slot].size, on: d)
        let entry = states[d].ledger.reserve(tokens: charge, now: now)
        jobs[id.slot].state = .inFlight(deployment: d, entry: entry)
        jobs[id.slot].attempts += 1
        states[d].inFlight += 1
        if states[d].isSaturated { saturated += 1 }
        states[d].dispatched += 1
        inFlight += 1
        counters.dispatched += 1
        actions.append(.dispatch(id, to: states[d].id, attempt: jobs[id.slot].attempts))
    }
}
