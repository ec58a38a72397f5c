import HeadroomCore

/// A model of a proxy that paces with one token bucket per deployment (as
/// LLProxy does): each bucket holds a minute's tokens and requests and refills
/// continuously; requests wait in one FIFO queue and go to the first deployment
/// whose buckets cover their charge (prompt + `max_tokens`). There are no
/// sub-windows, so a full bucket is spent in one burst. A 429 puts the request
/// back at the front after `retry-after`, up to three times. A request that no
/// bucket can hold fails at once.
public struct TokenBucketClient: SimulatedClient, Sendable {
    private struct Bucket: Sendable {
        let capacity: Double
        let perNanosecond: Double
        var level: Double
        var updated: Int64 = .min

        mutating func refill(_ now: Int64) {
            if updated != .min { level = min(capacity, level + Double(now - updated) * perNanosecond) }
            updated = now
        }

        func wait(_ amount: Double) -> Int64 {
            level >= amount ? 0 : Int64(((amount - level) / perNanosecond).rounded(.up))
        }
    }

    private let deployments: [DeploymentID]
    private var tokens: [Bucket]
    private var requests: [Bucket]
    private let maxRetries: Int
    private var queue: [(id: JobID, charge: Int)] = []
    private var head = 0
    private var nextID: UInt64 = 0
    private var attempts: [JobID: (charge: Int, count: Int, last: Int)] = [:]
    private var timers = ClientTimers()

    /// Creates the model; the limits are each deployment's per minute.
    public init(deployments: [DeploymentID], requestsPerMinute: [Int], tokensPerMinute: [Int], maxRetries: Int = 3) {
        self.deployments = deployments
        self.maxRetries = maxRetries
        tokens = tokensPerMinute.map { Bucket(capacity: Double($0), perNanosecond: Double($0) / 60e9, level: Double($0)) }
        requests = requestsPerMinute.map { Bucket(capacity: Double($0), perNanosecond: Double($0) / 60e9, level: Double($0)) }
    }

    public mutating func submit(_ job: consuming Job, now: Instant, into actions: inout [SchedulerAction]) -> JobID {
        let id = JobID(rawValue: nextID)
        nextID += 1
        // A charge larger than every bucket would wait for ever at the head of the queue.
        guard tokens.contains(where: { Double(job.contextTokens) <= $0.capacity }) else {
            let error = HeadroomError(.unservable, "Job \(id.number) is charged \(job.contextTokens) tokens, more than any deployment's token bucket holds.")
            actions.append(.finish(id, .failed(error), .unattempted))
            return id
        }
        attempts[id] = (job.contextTokens, 0, -1)
        queue.append((id, job.contextTokens))
        pump(now: now.nanoseconds, &actions)
        return id
    }

    public mutating func complete(_ id: JobID, outcome: AttemptOutcome, rateLimits: RateLimitObservation?, now: Instant,
                                  into actions: inout [SchedulerAction]) {
        guard let state = attempts[id] else { return }
        switch BaselineDecision(outcome, attempts: state.count, maxAttempts: maxRetries + 1) {
        case .finish(let result):
            attempts[id] = nil
            actions.append(.finish(id, result, JobAccount(outcome, deployment: deployments[state.last], attempts: state.count)))
        case .retry(let retryAfter):
            timers.schedule(id, at: (now + (retryAfter ?? .seconds(1))).nanoseconds)
        }
        pump(now: now.nanoseconds, &actions)
    }

    public mutating func tick(now: Instant, into actions: inout [SchedulerAction]) {
        let due = timers.popDue(now: now.nanoseconds).filter { attempts[$0] != nil }
        if !due.isEmpty {
            // Retries go back to the front of the queue, in the order they became due.
            queue.replaceSubrange(head ..< head, with: due.map { ($0, attempts[$0]!.charge) })
        }
        pump(now: now.nanoseconds, &actions)
    }

    /// Sends from the front of the queue while a deployment's buckets cover the head.
    private mutating func pump(now: Int64, _ actions: inout [SchedulerAction]) {
        for d in deployments.indices {
            tokens[d].refill(now)
            requests[d].refill(now)
        }
        var wakeup: Int64?
        while head < queue.count {
            let (id, charge) = queue[head]
            let fits = deployments.indices.first { tokens[$0].wait(Double(charge)) == 0 && requests[$0].wait(1) == 0 }
            guard let d = fits else {
                let waits = deployments.indices.map { max(tokens[$0].wait(Double(charge)), requests[$0].wait(1)) }
                wakeup = now + max(1, waits.min() ?? 1)
                break
            }
            head += 1
            tokens[d].level -= Double(charge)
            requests[d].level -= 1
            attempts[id]!.count += 1
            attempts[id]!.last = d
            actions.append(.dispatch(id, to: deployments[d], attempt: attempts[id]!.count))
        }
        if head > 1_024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        timers.requestWakeup(now: now, extra: wakeup, &actions)
    }
}
