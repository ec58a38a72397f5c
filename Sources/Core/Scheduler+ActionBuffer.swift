/// The events with their actions appended to a buffer the driver owns, so
/// that a driver handling millions of events (the simulator) reuses one array
/// instead of receiving a new one each time. Each behaves exactly like the
/// form that returns its actions.
///
/// ```swift
/// var actions: [SchedulerAction] = []
/// let id = scheduler.submit(job, now: now, into: &actions)
/// for action in actions { ... }
/// actions.removeAll(keepingCapacity: true)
/// ```
extension Scheduler {
    /// ``submit(_:now:)``, appending to `actions`.
    public mutating func submit(_ job: consuming Job, now: Instant, into actions: inout [SchedulerAction]) -> JobID {
        core.submit(job, now: now, &queue, &allocation, &actions)
    }

    /// ``complete(_:outcome:rateLimits:now:)``, appending to `actions`.
    public mutating func complete(
        _ id: JobID, outcome: AttemptOutcome, rateLimits: RateLimitObservation? = nil, now: Instant,
        into actions: inout [SchedulerAction]
    ) {
        core.complete(id, outcome: outcome, rateLimits: rateLimits, now: now, &queue, &allocation, &actions)
    }

    /// ``cancel(_:now:)``, appending to `actions`.
    public mutating func cancel(_ id: JobID, now: Instant, into actions: inout [SchedulerAction]) {
        core.cancel(id, now: now, &queue, &allocation, &actions)
    }

    /// ``cancelAll(now:)``, appending to `actions`.
    public mutating func cancelAll(now: Instant, into actions: inout [SchedulerAction]) {
        core.cancelAll(now: now, &queue, &allocation, &actions)
    }

    /// ``observe(_:for:now:)``, appending to `actions`.
    public mutating func observe(
        _ rateLimits: RateLimitObservation, for deployment: DeploymentID, now: Instant, into actions: inout [SchedulerAction]
    ) {
        core.observe(rateLimits, for: deployment, now: now, &queue, &allocation, &actions)
    }

    /// ``enable(_:now:)``, appending to `actions`.
    public mutating func enable(_ deployment: DeploymentID, now: Instant, into actions: inout [SchedulerAction]) {
        core.enable(deployment, now: now, &queue, &allocation, &actions)
    }

    /// ``tick(now:)``, appending to `actions`.
    public mutating func tick(now: Instant, into actions: inout [SchedulerAction]) {
        core.tick(now: now, &queue, &allocation, &actions)
    }
}
