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
    private var attempts: [JobID: Int] = [:]
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

    public mutating func submit(_ job: Job, now: Instant) -> (id: JobID, actions: [SchedulerAction]) {
        let id = JobID(rawValue: nextID)
        nextID += 1
        attempts[id] = 0
        var actions: [SchedulerAction] = []
        send(id, now: now.nanoseconds, &actions)
        return (id, actions)
    }

    public mutating func complete(_ id: JobID, outcome: AttemptOutcome, rateLimits: RateLimitObservation?, now: Instant) -> [SchedulerAction] {
        guard let tries = attempts[id] else { return [] }
        var actions: [SchedulerAction] = []
        switch outcome {
        case .succeeded:
            attempts[id] = nil
            actions.append(.finish(id, .succeeded))
        case .permanentFailure(let message):
            attempts[id] = nil
            actions.append(.finish(id, .failed(HeadroomError(.rejectedByProvider, message))))
        case .throttled(let retryAfter), .transientFailure(let retryAfter, _):
            if case .throttled = outcome, let d = lastDeployment[id] {
                coolingUntil[d] = max(coolingUntil[d], now.nanoseconds + cooldown)
            }
            if tries > maxRetries {
                attempts[id] = nil
                actions.append(.finish(id, .failed(HeadroomError(.attemptsExhausted, "gave up after \(tries) attempts: \(outcome)"))))
            } else {
                let wait = retryAfter.flatMap { $0 > .zero && $0 <= .seconds(60) ? $0 : nil } ?? .seconds(0.5 * Double(1 << (tries - 1)))
                timers.schedule(id, at: (now + wait).nanoseconds)
            }
        }
        timers.requestWakeup(now: now.nanoseconds, &actions)
        return actions
    }

    public mutating func tick(now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        for id in timers.popDue(now: now.nanoseconds) where attempts[id] != nil {
            send(id, now: now.nanoseconds, &actions)
        }
        timers.requestWakeup(now: now.nanoseconds, &actions)
        return actions
    }

    private var lastDeployment: [JobID: Int] = [:]

    private mutating func send(_ id: JobID, now: Int64, _ actions: inout [SchedulerAction]) {
        let available = deployments.indices.filter { coolingUntil[$0] <= now }
        guard !available.isEmpty else {
            attempts[id] = nil
            lastDeployment[id] = nil
            actions.append(.finish(id, .failed(HeadroomError(.unservable, "No deployments available: every deployment is cooling down after a 429."))))
            return
        }
        let total = available.reduce(0) { $0 + weights[$1] }
        var target = random.nextUnit() * total
        var chosen = available.last!
        for d in available {
            target -= weights[d]
            if target < 0 { chosen = d; break }
        }
        attempts[id, default: 0] += 1
        lastDeployment[id] = chosen
        actions.append(.dispatch(id, to: deployments[chosen], attempt: attempts[id]!))
    }
}
