/// What the scheduler tracks of one deployment, with the configuration its
/// hot paths need copied out of ``Deployment`` so that they copy no strings.
struct DeploymentState: Sendable {
    let id: DeploymentID
    let kind: DeploymentKind
    let weight: Double
    let charge: ChargeRule
    let contextWindow: Int
    let tokensPerMinute: Int
    let outputTokensPerMinute: Int?
    let requestsPerMinute: Int
    let maxConcurrency: Int?
    /// The cap on tokens in flight at once (``Deployment/maxEnqueuedTokens``), and what is in flight now.
    let maxEnqueuedTokens: Int?
    var enqueuedTokens = 0
    /// Tokens enqueued there that this scheduler did not dispatch (``Scheduler/enqueuedElsewhere(_:on:now:)``).
    var enqueuedElsewhere = 0
    /// The most one request may be charged here (``Deployment/largestCharge``).
    let largestCharge: Int
    var ledger: CapacityLedger
    /// The output tokens' own ledger, for a provider that limits them apart (``Deployment/outputTokensPerMinute``).
    var outputLedger: CapacityLedger?
    /// Whether there is one. (Asked on every judgement: comparing the ledger itself with `nil` would copy it.)
    let limitsOutput: Bool
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
        kind = deployment.kind
        weight = deployment.weight
        charge = deployment.charge
        contextWindow = deployment.contextWindow ?? .max
        tokensPerMinute = deployment.tokensPerMinute
        outputTokensPerMinute = deployment.outputTokensPerMinute
        limitsOutput = deployment.outputTokensPerMinute != nil
        requestsPerMinute = deployment.requestsPerMinute
        maxConcurrency = deployment.maxConcurrency
        maxEnqueuedTokens = deployment.maxEnqueuedTokens
        largestCharge = deployment.largestCharge
        ledger = CapacityLedger(deployment: deployment, utilization: configuration.targetUtilization,
                                adaptation: configuration.adaptation, remembersWaits: configuration.remembersBlockedJobs)
        if let output = deployment.outputTokensPerMinute {
            // Its requests are the main ledger's to count: here they never bind.
            var outputs = deployment
            outputs.tokensPerMinute = output
            outputs.requestsPerMinute = Deployment.largestQuota
            outputLedger = CapacityLedger(deployment: outputs, utilization: configuration.targetUtilization,
                                          adaptation: configuration.adaptation, remembersWaits: configuration.remembersBlockedJobs)
        }
    }

    /// Judges a job charged `tokens`, and `outputTokens` where output is limited apart: admitted if
    /// both ledgers admit it (with the lesser headroom), else waiting until both would. With a
    /// `reserve`, the job must leave that share of the main ledger's limits free besides its charge.
    mutating func judge(tokens: Int, outputTokens: Int, keeping reserve: Double = 0, now: Int64) -> CapacityLedger.Verdict {
        let main = reserve > 0 ? ledger.judge(tokens: tokens, keeping: reserve, now: now) : ledger.judge(tokens: tokens, now: now)
        guard limitsOutput, let output = outputLedger?.judge(tokens: outputTokens, now: now) else { return main }
        switch (main, output) {
        case (.admitted(let a), .admitted(let b)): return .admitted(headroom: min(a, b))
        case (.waits(let a), .waits(let b)): return .waits(until: max(a, b))
        case (.waits(let at), .admitted), (.admitted, .waits(let at)): return .waits(until: at)
        }
    }

    var isSaturated: Bool { inFlight >= maxConcurrency ?? .max }

    /// Whether `charge` more tokens fit under its enqueued-token cap.
    func enqueues(_ charge: Int) -> Bool {
        guard let cap = maxEnqueuedTokens else { return true }
        return charge <= cap - enqueuedTokens - enqueuedElsewhere
    }

    /// Whether a job may be sent to it at `now`: it is in rotation, or out of it and due a probe.
    func takesJobs(at now: Int64) -> Bool {
        outOfRotation == nil || (!probing && now >= probeAt)
    }

    /// Takes in what a provider's headers said, in answer to the request at ledger
    /// positions `seenThrough` and `outputSeenThrough` (`nil`: headers on their own),
    /// which the server `admitted` or not; returns whether a ledger's view changed.
    @discardableResult
    mutating func observe(_ observation: RateLimitObservation, seenThrough: Int?, outputSeenThrough: Int? = nil, admitted: Bool,
                          now: Int64) -> Bool {
        ledger.advance(to: now)
        var changed = ledger.observe(observation, seenThrough: seenThrough, admitted: admitted, now: now,
                                     requestsPerMinute: requestsPerMinute, tokensPerMinute: tokensPerMinute)
        if limitsOutput, let output = observation.outputBudget, let limit = outputTokensPerMinute {
            outputLedger?.advance(to: now)
            if outputLedger?.observe(output, seenThrough: outputSeenThrough, admitted: admitted, now: now,
                                     requestsPerMinute: Deployment.largestQuota, tokensPerMinute: limit) == true { changed = true }
        }
        return changed
    }
}
