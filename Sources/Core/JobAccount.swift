/// What a job cost, told with its ``SchedulerAction/finish(_:_:_:)``: the
/// deployment of its last attempt, how many attempts it took, and what the
/// provider reported it used. Drivers add these up (per deployment, per
/// tenant, per model) without keeping state of their own.
public struct JobAccount: Hashable, Sendable {
    /// The deployment its last attempt went to; `nil` if it was never dispatched.
    public var deployment: DeploymentID?
    /// Attempts made, the first included (0: never dispatched).
    public var attempts: Int
    /// What the provider reported the served attempt used; `nil` unless the job succeeded.
    public var usage: Usage?

    /// An account.
    public init(deployment: DeploymentID?, attempts: Int, usage: Usage? = nil) {
        self.deployment = deployment
        self.attempts = attempts
        self.usage = usage
    }

    /// The account of a job that was never dispatched.
    public static let unattempted = JobAccount(deployment: nil, attempts: 0)
}
