/// The deterministic scheduling state machine: events in, actions out.
///
/// It does no I/O, reads no clock, never sleeps and draws randomness only from
/// its seeded generator, so the live engine and the simulator drive the very
/// same code, and a run repeats exactly for the same seed and events.
///
/// ```swift
/// var scheduler = try Scheduler(deployments: [east, west], queue: .fifo, allocation: .maxHeadroom)
/// let (id, actions) = scheduler.submit(Job(model: "gpt-4o", promptTokens: 900, maxOutputTokens: 300), now: .zero)
/// // actions == [.dispatch(id, to: "east", attempt: 1)]: send it, then report how it went:
/// let next = scheduler.complete(id, outcome: .succeeded(Usage(promptTokens: 880, completionTokens: 120)),
///                               now: .seconds(1.2))
/// // next == [.finish(id, .succeeded, JobAccount(deployment: "east", attempts: 1, usage: ...))]
/// ```
///
/// Every submitted job gets exactly one ``SchedulerAction/finish(_:_:_:)``.
/// Each event also has a form that appends its actions to a buffer the
/// driver reuses (see Scheduler+ActionBuffer.swift), for drivers that count
/// every allocation, like the simulator.
/// Events may carry any `now`; an instant earlier than one already seen is
/// taken as that later one, so time never runs backwards.
public struct Scheduler<Queue: QueuePolicy, Allocation: AllocationPolicy>: Sendable {
    var core: SchedulerCore
    var queue: Queue
    var allocation: Allocation

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
        core = try SchedulerCore(deployments: deployments, configuration: configuration)
        self.queue = queue
        self.allocation = allocation
    }

    /// The configuration the scheduler was created with.
    public var configuration: SchedulerConfiguration { core.configuration }
    /// The deployments, in the order given; ``DeploymentCandidate/index`` refers to it.
    public var deployments: [Deployment] { core.deployments }
    /// What has happened so far.
    public var counters: SchedulerCounters { core.counters }
    /// Jobs waiting in the queue.
    public var queuedCount: Int { queue.count }
    /// Jobs submitted that have not yet ended.
    public var activeCount: Int { queue.count + core.backingOff + core.inFlight }

    /// A new job arrives. Returns the identity given to it and what to do.
    ///
    /// A job that cannot be accepted (invalid fields, no deployment could ever
    /// serve it, the queue is full, its deadline has passed) is finished at once
    /// with the reason.
    public mutating func submit(_ job: consuming Job, now: Instant) -> (id: JobID, actions: [SchedulerAction]) {
        var actions: [SchedulerAction] = []
        let id = submit(job, now: now, into: &actions)
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
        complete(id, outcome: outcome, rateLimits: rateLimits, now: now, into: &actions)
        return actions
    }

    /// The caller gave up on a job. A waiting job leaves the queue; a job in
    /// flight frees its concurrency slot (its charge stays: the provider saw it)
    /// and the driver should abort its request.
    public mutating func cancel(_ id: JobID, now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        cancel(id, now: now, into: &actions)
        return actions
    }

    /// Cancels every job that has not ended, for a driver that shuts down.
    public mutating func cancelAll(now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        cancelAll(now: now, into: &actions)
        return actions
    }

    /// A deployment's rate-limit headers seen outside a completion (a probe, another client).
    /// Observations for unknown deployments are ignored and counted as stale.
    public mutating func observe(_ rateLimits: RateLimitObservation, for deployment: DeploymentID, now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        observe(rateLimits, for: deployment, now: now, into: &actions)
        return actions
    }

    /// Puts a deployment taken out of rotation (by ``AttemptOutcome/deploymentUnavailable(message:)``)
    /// back in. Unknown deployments are ignored and counted as stale.
    public mutating func enable(_ deployment: DeploymentID, now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        enable(deployment, now: now, into: &actions)
        return actions
    }

    /// A wake-up the scheduler asked for is due (early or spurious ones are harmless).
    public mutating func tick(now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        tick(now: now, into: &actions)
        return actions
    }

    /// The name of tenant `id`, or `nil` for ``TenantID/none`` and numbers never given.
    public func tenantName(_ id: TenantID) -> String? {
        id.rawValue == 0 || Int(id.rawValue) > core.tenantNames.count ? nil : core.tenantNames[Int(id.rawValue) - 1]
    }

    /// The state of the queue and of every deployment at `now`.
    public func snapshot(now: Instant) -> SchedulerSnapshot {
        core.snapshot(now: now, queued: queue.count)
    }
}

/// The scheduler's event API without its policy types, for drivers that hold
/// a scheduler whose policies are chosen at run time (the live engine, tests).
package protocol SchedulerEvents: Sendable {
    mutating func submit(_ job: Job, now: Instant) -> (id: JobID, actions: [SchedulerAction])
    mutating func complete(_ id: JobID, outcome: AttemptOutcome, rateLimits: RateLimitObservation?, now: Instant) -> [SchedulerAction]
    mutating func cancel(_ id: JobID, now: Instant) -> [SchedulerAction]
    mutating func cancelAll(now: Instant) -> [SchedulerAction]
    mutating func observe(_ rateLimits: RateLimitObservation, for deployment: DeploymentID, now: Instant) -> [SchedulerAction]
    mutating func enable(_ deployment: DeploymentID, now: Instant) -> [SchedulerAction]
    mutating func tick(now: Instant) -> [SchedulerAction]
    mutating func share(_ share: Double, for deployment: DeploymentID, now: Instant) -> [SchedulerAction]
    mutating func hold(_ deployment: DeploymentID, until: Instant, now: Instant) -> [SchedulerAction]
    mutating func enqueuedElsewhere(_ tokens: Int, on deployment: DeploymentID, now: Instant) -> [SchedulerAction]
    func snapshot(now: Instant) -> SchedulerSnapshot
    var counters: SchedulerCounters { get }
}

extension Scheduler: SchedulerEvents {}
