/// What the scheduler asks its driver to do after an event.
public enum SchedulerAction: Hashable, Sendable {
    /// Send the job to the deployment now. `attempt` counts from 1.
    case dispatch(JobID, to: DeploymentID, attempt: Int)
    /// The job has ended: resolve whoever awaits it, and account for what it cost.
    /// Every submitted job gets exactly one `finish`. After `.cancelled` of a job
    /// in flight, abort its request.
    case finish(JobID, JobResult, JobAccount)
    /// Call ``Scheduler/tick(now:)`` at this instant. A newer wake-up replaces
    /// an older one; a wake-up that turns out to be early or needless is harmless.
    case scheduleWakeup(at: Instant)
    /// A deployment left rotation: tell an operator. ``HeadroomError/message`` says why.
    case deploymentDisabled(DeploymentID, HeadroomError)
}

/// How a job ended.
public enum JobResult: Hashable, Sendable {
    /// An attempt succeeded.
    case succeeded
    /// The job failed or was rejected; the error says why.
    case failed(HeadroomError)
    /// The job was cancelled by the caller.
    case cancelled
}
