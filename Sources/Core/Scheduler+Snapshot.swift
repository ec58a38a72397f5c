extension Scheduler {
    /// Jobs waiting in the queue.
    public var queuedCount: Int { queue.count }

    /// Jobs submitted that have not yet ended.
    public var activeCount: Int { queue.count + backingOff + inFlight }

    /// The state of the queue and of every deployment at `now`.
    public func snapshot(now instant: Instant) -> SchedulerSnapshot {
        let at = max(now, instant.nanoseconds)
        let deploymentSnapshots = deployments.indices.map { d in
            var ledger = states[d].ledger
            ledger.advance(to: at)
            let remaining = ledger.remaining(now: at)
            return DeploymentSnapshot(
                id: deployments[d].id, inFlight: states[d].inFlight,
                remainingRequests: remaining.requests, remainingTokens: remaining.tokens,
                limitFactor: ledger.limitFactor,
                blockedUntil: ledger.blockedUntil > at ? Instant(nanoseconds: ledger.blockedUntil) : nil,
                dispatched: states[d].dispatched, succeeded: states[d].succeeded,
                throttled: states[d].throttled, failed: states[d].failed
            )
        }
        return SchedulerSnapshot(
            at: Instant(nanoseconds: at), queued: queue.count, backingOff: backingOff, inFlight: inFlight,
            counters: counters, deployments: deploymentSnapshots
        )
    }
}
