/// Tokens on a deployment's enqueued-token cap that this scheduler did not dispatch: a batch
/// deployment's batches picked up again after a restart, which the provider still counts.
///
/// ```swift
/// // After a restart, the journal holds batches of 120,000 prompt tokens still under way on "batch":
/// let actions = scheduler.enqueuedElsewhere(120_000, on: "batch", now: now)
/// // ... and when they have ended:
/// let more = scheduler.enqueuedElsewhere(0, on: "batch", now: later)
/// ```
extension Scheduler {
    /// From now on `tokens` are enqueued on `deployment` besides what this scheduler dispatched there:
    /// they count against its ``Deployment/maxEnqueuedTokens`` until set again (0 when they have gone).
    /// Unknown deployments are ignored and counted as stale.
    public mutating func enqueuedElsewhere(_ tokens: Int, on deployment: DeploymentID, now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        enqueuedElsewhere(tokens, on: deployment, now: now, into: &actions)
        return actions
    }

    /// ``enqueuedElsewhere(_:on:now:)``, appending to `actions`.
    public mutating func enqueuedElsewhere(_ tokens: Int, on deployment: DeploymentID, now: Instant, into actions: inout [SchedulerAction]) {
        core.enqueuedElsewhere(tokens, on: deployment, now: now, &queue, &allocation, &actions)
    }
}

extension SchedulerCore {
    mutating func enqueuedElsewhere<Q: QueuePolicy, A: AllocationPolicy>(
        _ tokens: Int, on deployment: DeploymentID, now: Instant, _ queue: inout Q, _ allocation: inout A, _ actions: inout [SchedulerAction]
    ) {
        advance(to: now, &queue, &actions)
        if let d = indexByID[deployment] {
            // From outside: bounded like a quota, so that no sum with it can overflow.
            let bounded = min(max(0, tokens), Deployment.largestQuota)
            if bounded != states[d].enqueuedElsewhere {
                states[d].enqueuedElsewhere = bounded
                fitChanges += 1
            }
        } else {
            counters.staleEvents += 1
        }
        finishEvent(&queue, &allocation, &actions)
    }
}
