/// One job's life inside the scheduler, in a slot of the job table. A slot's
/// generation changes whenever a job leaves it, so an old ``JobID`` never
/// reaches a newer job. Records are stored, not optionals, so that the
/// dispatch pass reads their fields in place.
struct JobRecord: Sendable {
    var generation: UInt32 = 0
    var isLive = false

    enum State: Sendable {
        case queued
        case inFlight(deployment: Int, entry: Int)
        case backingOff(until: Int64)
    }

    var job: Job
    var size: JobSize
    var tenant = TenantID.none
    /// Its tenant's weight, for fair queue policies.
    var tenantWeight = 1.0
    var eligible: [Int]
    var sequence: UInt64
    /// Its least charge on any deployment it may use: its place in ``WaitingBySize``.
    var smallestCharge = 0
    var arrival: Int64
    var state = State.queued
    var attempts = 0
    /// The deployment the last attempt failed on, to avoid when another has room.
    var avoid = -1
    /// The deployment of the last attempt (-1: none yet).
    var lastDeployment = -1
    /// The attempt in flight's position in its deployment's output ledger (-1: none).
    var outputEntry = -1
    /// The tokens the attempt in flight holds under its deployment's enqueued-token cap.
    var enqueued = 0
    var timesPassed = 0
    var giveUpAt: Int64?
    var giveUpKind = HeadroomError.Kind.queueWaitExceeded
    var lastFailure: String?

    /// The contents of an empty slot.
    static let vacant = JobRecord(job: Job(models: [], promptTokens: 0, maxOutputTokens: 0), eligible: [], sequence: 0, arrival: 0)

    init(job: consuming Job, eligible: [Int], sequence: UInt64, arrival: Int64) {
        self.size = JobSize(job)
        self.job = job
        self.eligible = eligible
        self.sequence = sequence
        self.arrival = arrival
    }

    func queued(as id: JobID) -> QueuedJob {
        QueuedJob(id: id, priority: job.priority, arrival: Instant(nanoseconds: arrival), sequence: sequence,
                  tokens: size.contextTokens, tenant: tenant, deadline: job.deadline, outputTokens: size.maxOutputTokens,
                  weight: tenantWeight, attempts: attempts)
    }
}
