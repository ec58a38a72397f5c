import HeadroomCore

/// A model of the OpenAI SDK's default behaviour, one client per deployment:
/// each request is sent as soon as it arrives to the deployment its client
/// uses (clients taken in turn); a 429, 408 or 5xx is retried twice on the same
/// deployment after `retry-after` (when it is at most 60 s) or an exponential
/// back-off of 0.5 s doubling to at most 8 s, less up to 25 % jitter.
///
/// It keeps no accounting: it learns of a limit only from the 429.
public struct NaiveRetryClient: SimulatedClient, Sendable {
    private let deployments: [DeploymentID]
    private let maxRetries: Int
    private var nextDeployment = 0
    private var nextID: UInt64 = 0
    private var jobs: [JobID: (deployment: Int, attempts: Int)] = [:]
    private var timers = ClientTimers()
    private var random: SeededRandom

    /// Creates the model over `deployments`.
    public init(deployments: [DeploymentID], maxRetries: Int = 2, seed: UInt64) {
        self.deployments = deployments
        self.maxRetries = maxRetries
        random = SeededRandom(seed: seed)
    }

    public mutating func submit(_ job: consuming Job, now: Instant, into actions: inout [SchedulerAction]) -> JobID {
        let id = JobID(rawValue: nextID)
        nextID += 1
        let d = nextDeployment % deployments.count
        nextDeployment += 1
        jobs[id] = (d, 1)
        actions.append(.dispatch(id, to: deployments[d], attempt: 1))
        return id
    }

    public mutating func complete(_ id: JobID, outcome: AttemptOutcome, rateLimits: RateLimitObservation?, now: Instant,
                                  into actions: inout [SchedulerAction]) {
        guard let state = jobs[id] else { return }
        switch BaselineDecision(outcome, attempts: state.attempts, maxAttempts: maxRetries + 1) {
        case .finish(let result):
            jobs[id] = nil
            actions.append(.finish(id, result, JobAccount(outcome, deployment: deployments[state.deployment], attempts: state.attempts)))
        case .retry(let retryAfter):
            let backoff = min(0.5 * Double(1 << (state.attempts - 1)), 8) * (1 - 0.25 * random.nextUnit())
            let wait = retryAfter.flatMap { $0 > .zero && $0 <= .seconds(60) ? $0 : nil } ?? .seconds(backoff)
            timers.schedule(id, at: (now + wait).nanoseconds)
        }
        timers.requestWakeup(now: now.nanoseconds, &actions)
    }

    public mutating func tick(now: Instant, into actions: inout [SchedulerAction]) {
        for id in timers.popDue(now: now.nanoseconds) {
            guard var state = jobs[id] else { continue }
            state.attempts += 1
            jobs[id] = state
            actions.append(.dispatch(id, to: deployments[state.deployment], attempt: state.attempts))
        }
        timers.requestWakeup(now: now.nanoseconds, &actions)
    }
}
