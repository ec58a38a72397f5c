import HeadroomCore

/// Whatever decides where and when requests go: Headroom's scheduler, or a
/// model of another strategy. It speaks the scheduler's own vocabulary, so the
/// simulation drives them all the same way. Each event appends what to do to
/// `actions`, a buffer the simulation reuses: it may still hold earlier events'
/// actions, which a client leaves alone.
public protocol SimulatedClient {
    /// A request arrives; returns the identity given to it.
    mutating func submit(_ job: consuming Job, now: Instant, into actions: inout [SchedulerAction]) -> JobID
    /// An attempt answered.
    mutating func complete(_ id: JobID, outcome: AttemptOutcome, rateLimits: RateLimitObservation?, now: Instant,
                           into actions: inout [SchedulerAction])
    /// A wake-up the client asked for is due.
    mutating func tick(now: Instant, into actions: inout [SchedulerAction])
}

extension Scheduler: SimulatedClient {}

extension SimulatedClient {
    /// ``submit(_:now:into:)``, returning the identity and the actions.
    public mutating func submit(_ job: Job, now: Instant) -> (id: JobID, actions: [SchedulerAction]) {
        var actions: [SchedulerAction] = []
        let id = submit(job, now: now, into: &actions)
        return (id, actions)
    }

    /// ``complete(_:outcome:rateLimits:now:into:)``, returning the actions.
    public mutating func complete(_ id: JobID, outcome: AttemptOutcome, rateLimits: RateLimitObservation?, now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        complete(id, outcome: outcome, rateLimits: rateLimits, now: now, into: &actions)
        return actions
    }

    /// ``tick(now:into:)``, returning the actions.
    public mutating func tick(now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        tick(now: now, into: &actions)
        return actions
    }
}

extension JobAccount {
    /// The account of a job whose last attempt, number `attempts`, went to `deployment` and ended with `outcome`.
    init(_ outcome: AttemptOutcome, deployment: DeploymentID, attempts: Int) {
        let usage: Usage? = if case .succeeded(let usage) = outcome { usage } else { nil }
        self.init(deployment: deployment, attempts: attempts, usage: usage)
    }
}

/// How the baseline clients read an attempt's outcome, as most clients do:
/// a success or a permanent failure ends the request; a 429 or a transient
/// failure is retried while attempts remain.
enum BaselineDecision {
    case finish(JobResult)
    /// Retry, after the provider's retry-after if it gave one (else the client's own back-off).
    case retry(retryAfter: Duration?)

    init(_ outcome: AttemptOutcome, attempts: Int, maxAttempts: Int) {
        switch outcome {
        case .succeeded:
            self = .finish(.succeeded)
        case .permanentFailure(let message), .deploymentUnavailable(let message):
            self = .finish(.failed(HeadroomError(.rejectedByProvider, message)))
        case .brokenAnswer(let message):
            self = .finish(.failed(HeadroomError(.brokenAnswer, message)))
        case .throttled(let retryAfter), .transientFailure(let retryAfter, _):
            self = Self.retry(outcome, after: retryAfter, attempts: attempts, maxAttempts: maxAttempts)
        case .batchUnfinished:
            self = Self.retry(outcome, after: nil, attempts: attempts, maxAttempts: maxAttempts)
        }
    }

    private static func retry(_ outcome: AttemptOutcome, after retryAfter: Duration?, attempts: Int, maxAttempts: Int) -> Self {
        if attempts >= maxAttempts {
            return .finish(.failed(HeadroomError(.attemptsExhausted, "gave up after \(attempts) attempts: \(outcome)")))
        }
        return .retry(retryAfter: retryAfter)
    }
}

/// Timers of the baseline clients: jobs to act on at an instant, earliest first.
struct ClientTimers: Sendable {
    private var heap: [(at: Int64, sequence: Int, job: JobID)] = []
    private var sequence = 0
    private var requested: Int64?

    mutating func schedule(_ job: JobID, at: Int64) {
        heap.append((at, sequence, job))
        sequence += 1
        var child = heap.count - 1
        while child > 0, precedes(child, (child - 1) / 2) {
            heap.swapAt(child, (child - 1) / 2)
            child = (child - 1) / 2
        }
    }

    /// Removes and returns the jobs whose timers are due at `now`, in order.
    mutating func popDue(now: Int64) -> [JobID] {
        var due: [JobID] = []
        while let first = heap.first, first.at <= now {
            due.append(first.job)
            heap.swapAt(0, heap.count - 1)
            heap.removeLast()
            var parent = 0
            while true {
                var smallest = parent
                for child in [2 * parent + 1, 2 * parent + 2] where child < heap.count && precedes(child, smallest) { smallest = child }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return due
    }

    /// Appends a wake-up for the earliest timer (or `extra`) if it differs from the last one asked for.
    mutating func requestWakeup(now: Int64, extra: Int64? = nil, _ actions: inout [SchedulerAction]) {
        if let last = requested, last <= now { requested = nil }
        let next = [heap.first?.at, extra].compactMap { $0 }.min()
        guard let next, next != requested else { return }
        requested = next
        actions.append(.scheduleWakeup(at: Instant(nanoseconds: max(next, now))))
    }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        (heap[a].at, heap[a].sequence) < (heap[b].at, heap[b].sequence)
    }
}
