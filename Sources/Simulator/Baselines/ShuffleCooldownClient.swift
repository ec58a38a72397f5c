import HeadroomCore

/// A model of LiteLLM's default router ("simple-shuffle"): each attempt goes
/// to a deployment drawn at random, weighted by its tokens per minute, among
/// those not cooling down; a 429 cools that deployment down for 5 s; a failed
/// attempt is retried twice, after `retry-after` or a back-off of 0.5 s
/// doubling; when every deployment is cooling down the request fails at once.
///
/// It keeps no accounting: it learns of a limit only from the 429.
public struct ShuffleCooldownClient: SimulatedClient, Sendable {
    private let deployments: [DeploymentID]
    private let weights: [Double]
    private let cooldown: Int64
    private let maxRetries: Int
    private var coolingUntil: [Int64]
    private var nextID: UInt64 = 0
    /// Attempts so far and the deployment of the last, per request not yet ended.
    private var attempts: [JobID: (count: Int, last: Int)] = [:]
    private var timers = ClientTimers()
    private var random: SeededRandom

    /// Creates the model; `weights` are the deployments' tokens per minute.
    public init(deployments: [DeploymentID], weights: [Double], cooldown: Duration = .seconds(5), maxRetries: Int = 2, seed: UInt64) {
        self.deployments = deployments
        self.weights = weights
        self.cooldown = cooldown.nanoseconds
        self.maxRetries = maxRetries
        coolingUntil = Array(repeating: .min, count: deployments.count)
        random = SeededRandom(seed: seed)
    }

    public mutating func submit(_ job: consuming Job, now: Instant, into actions: inout [SchedulerAction]) -> JobID {
        let id = JobID(rawValue: nextID)
        nextID += 1
        attempts[id] = (0, -1)
        send(id, now: now.nanoseconds, &actions)
        return id
    }

    public mutating func complete(_ id: JobID, outcome: AttemptOutcome, rateLimits: RateLimitObservation?, now: Instant,
                                  into actions: inout [SchedulerAction]) {
        guard let state = attempts[id] else { return }
        if case .throttled = outcome {
            coolingUntil[state.last] = max(coolingUntil[state.last], now.nanoseconds + cooldown)
        }
        switch BaselineDecision(outcome, attempts: state.count, maxAttempts: maxRetries + 1) {
        case .finish(let result):
            attempts[id] = nil
            actions.append(.finish(id, result, JobAccount(outcome, deployment: deployments[state.last], attempts: state.count)))
        case .retry(let retryAfter):
            let wait = retryAfter.flatMap { $0 > .zero && $0 <= .seconds(60) ? $0 : nil } ?? .seconds(0.5 * Double(1 << (state.count - 1)))
            timers.schedule(id, at: (now + wait).nanoseconds)
        }
        timers.requestWakeup(now: now.nanoseconds, &actions)
    }

    public mutating func tick(now: Instant, into actions: inout [SchedulerAction]) {
        for id in timers.popDue(now: now.nanoseconds) where attempts[id] != nil {
            send(id, now: now.nanoseconds, &actions)
        }
        timers.requestWakeup(now: now.nanoseconds, &actions)
    }

    private mutating func send(_ id: JobID, now: Int64, _ actions: inout [SchedulerAction]) {
        let available = deployments.indices.filter { coolingUntil[$0] <= now }
        guard !available.isEmpty else {
            let tried = attempts[id].map { JobAccount(deployment: $0.last < 0 ? nil : deployments[$0.last], attempts: $0.count) } ?? .unattempted
            attempts[id] = nil
            actions.append(.finish(id, .failed(HeadroomError(.unservable, "No deployments available: every deployment is cooling down after a 429.")), tried))
            return
        }
        let total = available.reduce(0) { $0 + weights[$1] }
        var target = random.nextUnit() * total
        var chosen = available.last!
        for d in available {
            target -= weights[d]
            if target < 0 { chosen = d; break }
        }
        let count = (attempts[id]?.count ?? 0) + 1
        attempts[id] = (count, chosen)
        actions.append(.dispatch(id, to: deployments[chosen], attempt: count))
    }
}
