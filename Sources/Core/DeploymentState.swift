/// What the scheduler tracks of one deployment, with the configuration its
/// hot paths need copied out of ``Deployment`` so that they copy no strings.
struct DeploymentState: Sendable {
    let id: DeploymentID
    let weight: Double
    let charge: ChargeRule
    let contextWindow: Int
    let tokensPerMinute: Int
    let requestsPerMinute: Int
    let maxConcurrency: Int?
    var ledger: CapacityLedger
    var inFlight = 0
    /// Why the deployment is out of rotation, if it is.
    var outOfRotation: String?
    /// While out of rotation: when one request may go to probe it, and the wait before the next probe after a failed one.
    var probeAt: Int64 = .max
    var probeBackoff: Int64 = 0
    /// Whether a probe is in flight.
    var probing = false
    var dispatched = 0
    var succeeded = 0
    var throttled = 0
    var failed = 0

    init(_ deployment: Deployment, configuration: SchedulerConfiguration) {
        id = deployment.id
        weight = deployment.weight
        charge = deployment.charge
        contextWindow = deployment.contextWindow ?? .max
        tokensPerMinute = deployment.tokensPerMinute
        requestsPerMinute = deployment.requestsPerMinute
        maxConcurrency = deployment.maxConcurrency
        ledger = CapacityLedger(deployment: deployment, utilization: configuration.targetUtilization,
                                adaptation: configuration.adaptation, remembersWaits: configuration.remembersBlockedJobs)
    }

    var isSaturated: Bool { inFlight >= maxConcurrency ?? .max }

    /// Whether a job may be sent to it at `now`: it is in rotation, or out of it and due a probe.
    func takesJobs(at now: Int64) -> Bool {
        outOfRotation == nil || (!probing && now >= probeAt)
    }

    /// Takes in what a provider's headers said, in answer to the request at ledger
    /// position `seenThrough` (`nil`: headers on their own), which the server
    /// `admitted` or not; returns whether the ledger's view changed.
    @discardableResult
    mutating func observe(_ observation: RateLimitObservation, seenThrough: Int?, admitted: Bool, now: Int64) -> Bool {
        ledger.advance(to: now)
        return ledger.observe(observation, seenThrough: seenThrough, admitted: admitted, now: now,
                              requestsPerMinute: requestsPerMinute, tokensPerMinute: tokensPerMinute)
    }
}
