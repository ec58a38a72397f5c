extension SchedulerCore {
    /// The state of every deployment at `now` (the later of it and the last event).
    func snapshot(now instant: Instant, queued: Int) -> SchedulerSnapshot {
        let at = max(now, instant.nanoseconds)
        let deploymentSnapshots = states.map { state in
            var ledger = state.ledger
            ledger.advance(to: at)
            let remaining = ledger.remaining(now: at)
            return DeploymentSnapshot(
                id: state.id, inFlight: state.inFlight,
                remainingRequests: remaining.requests, remainingTokens: remaining.tokens,
                limitFactor: ledger.limitFactor, share: ledger.share, occupancy: ledger.occupancy(),
                blockedUntil: ledger.blockedUntil > at ? Instant(nanoseconds: ledger.blockedUntil) : nil,
                serverView: ledger.serverView(now: at), headersIgnored: ledger.headersRefuted,
                outOfRotation: state.outOfRotation,
                dispatched: state.dispatched, succeeded: state.succeeded,
                throttled: state.throttled, failed: state.failed,
                kind: state.kind, enqueuedTokens: state.enqueuedTokens + state.enqueuedElsewhere
            )
        }
        return SchedulerSnapshot(
            at: Instant(nanoseconds: at), queued: queued, backingOff: backingOff, inFlight: inFlight,
            counters: counters, deployments: deploymentSnapshots
        )
    }
}
