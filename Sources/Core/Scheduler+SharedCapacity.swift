/// Events for instances of Headroom that share deployments (several gateways, say): what a shared
/// store such as Redis says enters the scheduler as events, as a provider's headers do, so the
/// scheduler stays free of I/O. A driver that shares nothing never sends them.
///
/// ```swift
/// // Redis granted this instance a third of "east":
/// let actions = scheduler.share(1.0 / 3, for: "east", now: now)
/// // Another instance got a 429 from "east" asking for 2 s:
/// let more = scheduler.hold("east", until: now + .seconds(2), now: now)
/// ```
extension Scheduler {
    /// From now on this instance may use `share` (0 to 1) of `deployment`'s limits; others use the
    /// rest. Charges already sent stay in its windows: a lower share admits nothing new until they
    /// leave room under it. At 0 the deployment takes no jobs from this instance.
    /// Unknown deployments are ignored and counted as stale.
    public mutating func share(_ share: Double, for deployment: DeploymentID, now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        self.share(share, for: deployment, now: now, into: &actions)
        return actions
    }

    /// ``share(_:for:now:)``, appending to `actions`.
    public mutating func share(_ share: Double, for deployment: DeploymentID, now: Instant, into actions: inout [SchedulerAction]) {
        core.share(share, for: deployment, now: now, &queue, &allocation, &actions)
    }

    /// Another instance was told by `deployment` to send nothing before `until` (a 429's
    /// retry-after): this one holds back the same, as after a 429 of its own. An instant
    /// already past changes nothing. Unknown deployments are ignored and counted as stale.
    public mutating func hold(_ deployment: DeploymentID, until: Instant, now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        hold(deployment, until: until, now: now, into: &actions)
        return actions
    }

    /// ``hold(_:until:now:)``, appending to `actions`.
    public mutating func hold(_ deployment: DeploymentID, until: Instant, now: Instant, into actions: inout [SchedulerAction]) {
        core.hold(deployment, until: until, now: now, &queue, &allocation, &actions)
    }
}
