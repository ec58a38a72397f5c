/// What a queue policy knows of a waiting job.
public struct QueuedJob: Hashable, Sendable, BitwiseCopyable {
    /// The job's identity.
    public var id: JobID
    /// Larger goes first under priority policies.
    public var priority: Int
    /// When the job was submitted.
    public var arrival: Instant
    /// Submission order: unique, increasing, and never decreasing in ``arrival``.
    /// Ties of every other key break on it.
    public var sequence: UInt64
    /// Prompt plus maximum output tokens: the job's size.
    public var tokens: Int
    /// Whose job it is (``TenantID/none`` when the job names no tenant).
    public var tenant: TenantID
    /// When the job must be over, if it has a deadline of its own.
    public var deadline: Instant?
    /// Of ``tokens``, the most output (`max_tokens`).
    public var outputTokens: Int
    /// Its tenant's weight (``TenantLimits/weight``; 1 without a tenant).
    public var weight: Double
    /// Attempts made so far: 0 until its first dispatch.
    public var attempts: Int

    /// Creates a queued job; the scheduler does this, tests may too.
    public init(id: JobID, priority: Int, arrival: Instant, sequence: UInt64, tokens: Int, tenant: TenantID = .none, deadline: Instant? = nil,
                outputTokens: Int = 0, weight: Double = 1, attempts: Int = 0) {
        self.id = id
        self.priority = priority
        self.arrival = arrival
        self.sequence = sequence
        self.tokens = tokens
        self.tenant = tenant
        self.deadline = deadline
        self.outputTokens = outputTokens
        self.weight = weight
        self.attempts = attempts
    }
}

/// Decides the order in which waiting jobs are offered to the deployments.
///
/// The scheduler asks for the job at position 0, then 1, ... until one can be
/// placed, and removes the one it dispatches. A job further back may take a
/// deployment that a blocked job ahead of it also wants only if
/// ``mayPass(_:blocked:timesPassed:)`` allows it; deployments that no blocked
/// job ahead wants are always free to take, so jobs for one model never wait
/// behind jobs for another. A blocked job claims only the deployment where it
/// will fit first, and with ``SchedulerConfiguration/backfill`` a later job may
/// use a claimed deployment when that cannot delay the claimant.
///
/// Implementers must guarantee:
/// - the order is a function of the jobs alone (no clock, no global state), so
///   that runs are repeatable;
/// - `job(at:)` is cheap for small positions: it is called on every event;
/// - a job re-enqueued after a failed attempt keeps its place by `sequence`.
///
/// The scheduler calls these methods serially; they must not block or lock.
public protocol QueuePolicy: Sendable {
    /// The number of waiting jobs.
    var count: Int { get }
    /// Adds a job that is ready to be dispatched.
    mutating func enqueue(_ job: QueuedJob)
    /// The job at `position` in dispatch order (0 goes first), or `nil` past the end.
    func job(at position: Int) -> QueuedJob?
    /// Removes and returns the job at `position` in dispatch order.
    mutating func remove(at position: Int) -> QueuedJob
    /// Removes the job with `id`, if it is waiting.
    mutating func remove(_ id: JobID) -> QueuedJob?
    /// Whether this policy ever lets a job pass a blocked one for the same
    /// deployment; when `false` the scheduler stops looking once every
    /// deployment is wanted by a blocked job.
    var allowsPassing: Bool { get }
    /// Whether `job` may be dispatched, to a deployment `blocked` is waiting
    /// for, ahead of `blocked`, which stands before it and has already been passed
    /// `timesPassed` times.
    func mayPass(_ job: QueuedJob, blocked: QueuedJob, timesPassed: Int) -> Bool
    /// `job`, dispatched from this queue, was served and used `usage` (as the provider reported
    /// it): a fair policy charges the job's tenant for what it really used.
    mutating func settled(_ job: QueuedJob, usage: Usage)
    /// Whether the dispatch order is submission order (``QueuedJob/sequence``) and no job passes
    /// a blocked one: the scheduler may then look for a job to backfill by its size, in an index,
    /// rather than walk the queue.
    var ordersBySubmission: Bool { get }
    /// The position of `job` in dispatch order, if it is waiting.
    func position(of job: QueuedJob) -> Int?
}

extension QueuePolicy {
    /// By default jobs never pass a blocked one for the same deployment.
    public var allowsPassing: Bool { false }

    /// By default no job passes a blocked one for the same deployment.
    public func mayPass(_ job: QueuedJob, blocked: QueuedJob, timesPassed: Int) -> Bool { false }

    /// By default what a job used changes nothing.
    public mutating func settled(_ job: QueuedJob, usage: Usage) {}

    /// By default the order is the policy's own.
    public var ordersBySubmission: Bool { false }

    /// By default found by walking the order.
    public func position(of job: QueuedJob) -> Int? {
        var position = 0
        while let next = self.job(at: position) {
            if next.id == job.id { return position }
            position += 1
        }
        return nil
    }
}
