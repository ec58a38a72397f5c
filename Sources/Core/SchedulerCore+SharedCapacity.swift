extension SchedulerCore {
    /// This instance may use `share` of deployment `deployment`'s limits from now on.
    mutating func share<Q: QueuePolicy, A: AllocationPolicy>(
        _ share: Double, for deployment: DeploymentID, now: Instant, _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) {
        advance(to: now, &queue, &actions)
        if let d = indexByID[deployment] {
            states[d].ledger.advance(to: self.now)
            var changed = states[d].ledger.setShare(share, now: self.now)
            if states[d].limitsOutput {
                states[d].outputLedger?.advance(to: self.now)
                if states[d].outputLedger?.setShare(share, now: self.now) == true { changed = true }
            }
            if changed { fitChanges += 1 }
        } else {
            counters.staleEvents += 1
        }
        finishEvent(&queue, &allocation, &actions)
    }

    /// Another instance was told to send nothing to `deployment` before `until` (a 429's retry-after):
    /// taken as this instance's own 429 without a job, as the deployment's windows are the same for all.
    mutating func hold<Q: QueuePolicy, A: AllocationPolicy>(
        _ deployment: DeploymentID, until: Instant, now: Instant, _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) {
        advance(to: now, &queue, &actions)
        if let d = indexByID[deployment] {
            let (remaining, overflow) = until.nanoseconds.subtractingReportingOverflow(self.now)
            if !overflow, remaining > 0 {
                let wait = clampedRetryAfter(.nanoseconds(remaining))
                states[d].ledger.advance(to: self.now)
                states[d].ledger.throttle(now: self.now, wait: wait, named: true)
                if states[d].limitsOutput {
                    states[d].outputLedger?.advance(to: self.now)
                    states[d].outputLedger?.throttle(now: self.now, wait: wait, named: true)
                }
                fitChanges += 1
            }
        } else {
            counters.staleEvents += 1
        }
        finishEvent(&queue, &allocation, &actions)
    }
}
