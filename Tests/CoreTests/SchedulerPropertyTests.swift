import HeadroomCore
import Testing

/// Random workloads from a seeded generator, driven through a small discrete-event loop.
@Suite("Scheduler properties")
struct SchedulerPropertyTests {
    static let cases = QueueKind.allCases.flatMap { q in AllocationKind.allCases.flatMap { a in (1 ... 4).map { (q, a, UInt64($0)) } } }

    @Test("Every job ends exactly once and no window's limit is exceeded", arguments: cases)
    func invariantsHold(_ queue: QueueKind, _ allocation: AllocationKind, _ seed: UInt64) throws {
        let run = try RandomRun(seed: seed, queue: queue, allocation: allocation)
        let log = try run.execute()

        #expect(log.finishes.count == run.jobs.count, "jobs that never ended: \(run.jobs.count - log.finishes.count)")
        #expect(log.finishes.values.allSatisfy { $0 == 1 }, "a job ended more than once")
        #expect(log.activeAtEnd == 0)
        #expect(log.maxInFlight.indices.allSatisfy { log.maxInFlight[$0] <= run.deployments[$0].maxConcurrency ?? .max })
        #expect(log.attempts.count > run.jobs.count / 3, "the workload should dispatch a good share of the jobs")

        for (d, deployment) in run.deployments.enumerated() {
            let attempts = log.attempts.filter { $0.deployment == d && $0.requests > 0 }
            if deployment.windows.refillsContinuously {
                // The minute is a bucket of a minute's limits refilling continuously: every charge must
                // fit what it holds when sent, or find it full (one larger than the bucket goes only then).
                var tokens = Double(deployment.tokensPerMinute), requests = Double(deployment.requestsPerMinute), last: Int64 = 0
                for attempt in attempts {
                    let elapsed = Double(attempt.time - last) / 60e9
                    last = attempt.time
                    tokens = min(Double(deployment.tokensPerMinute), tokens + elapsed * Double(deployment.tokensPerMinute))
                    requests = min(Double(deployment.requestsPerMinute), requests + elapsed * Double(deployment.requestsPerMinute))
                    let full = tokens >= Double(deployment.tokensPerMinute) - 1e-6 && requests >= Double(deployment.requestsPerMinute) - 1e-6
                    // A nanosecond's rounding in the scheduler's favour is allowed.
                    let fits = Double(attempt.tokens) <= tokens + 1 && requests >= 1 - 1e-6
                    #expect(fits || full, "\(deployment.id)'s bucket at \(attempt.time): \(attempt.tokens) tokens sent with \(tokens) in it, \(requests) requests")
                    if !(fits || full) { return }
                    tokens -= Double(attempt.tokens)
                    requests -= Double(attempt.requests)
                }
            }
            for window in deployment.windows.all where !(deployment.windows.refillsContinuously && window == .seconds(60)) {
                let length = window.nanoseconds
                let tokenLimit = max(1, Int(Double(deployment.tokensPerMinute) * Double(length) / 60e9))
                let requestLimit = max(1, Int(Double(deployment.requestsPerMinute) * Double(length) / 60e9))
                var start = 0, tokens = 0
                for end in attempts.indices {
                    tokens += attempts[end].tokens
                    while attempts[start].time <= attempts[end].time - length {
                        tokens -= attempts[start].tokens
                        start += 1
                    }
                    let requests = end - start + 1
                    let within = (tokens <= tokenLimit && requests <= requestLimit) || requests == 1
                    #expect(within, "\(deployment.id) over \(window) ending \(attempts[end].time): \(tokens)/\(tokenLimit) tokens, \(requests)/\(requestLimit) requests")
                    if !within { return }
                }
            }
        }
    }

    @Test("The same seed gives the same actions", arguments: [(QueueKind.priority, AllocationKind.weightedRandom, UInt64(7)), (.fifoPassing, .roundRobin, 8)])
    func deterministic(_ queue: QueueKind, _ allocation: AllocationKind, _ seed: UInt64) throws {
        let first = try RandomRun(seed: seed, queue: queue, allocation: allocation).execute()
        let second = try RandomRun(seed: seed, queue: queue, allocation: allocation).execute()
        #expect(first.actions == second.actions)
        let other = try RandomRun(seed: seed + 100, queue: queue, allocation: allocation).execute()
        #expect(first.actions != other.actions)
    }
}

/// One random scenario: deployments, jobs and the providers' behaviour all drawn from `seed`.
struct RandomRun {
    struct Attempt { var deployment: Int; var time: Int64; var tokens: Int; var requests: Int }
    struct Log {
        var actions: [String] = []
        var finishes: [JobID: Int] = [:]
        var attempts: [Attempt] = []
        var maxInFlight: [Int]
        var activeAtEnd = 0
        var disabled = 0
    }
    enum Event { case arrival(Int), completion(JobID, attempt: Int), cancel(Int), wake, enable(DeploymentID) }

    let seed: UInt64
    let deployments: [Deployment]
    let jobs: [(at: Int64, job: Job)]
    let configuration: SchedulerConfiguration
    let queue: QueueKind
    let allocation: AllocationKind

    init(seed: UInt64, queue: QueueKind, allocation: AllocationKind) throws {
        var random = SeededRandom(seed: seed)
        self.seed = seed
        self.queue = queue
        self.allocation = allocation
        deployments = [
            try Deployment(id: "azure", provider: .azureOpenAI, models: ["m1"],
                           requestsPerMinute: Int.random(in: 60 ... 300, using: &random),
                           tokensPerMinute: Int.random(in: 20_000 ... 60_000, using: &random), maxConcurrency: 8),
            try Deployment(id: "vllm", provider: .openAICompatible, models: ["m1", "m2"], contextWindow: 3_500,
                           requestsPerMinute: Int.random(in: 30 ... 200, using: &random),
                           tokensPerMinute: Int.random(in: 10_000 ... 40_000, using: &random),
                           windows: .subWindows(.seconds(10), .seconds(1))),
            try Deployment(id: "openai", provider: .openAI, requestsPerMinute: Int.random(in: 20 ... 100, using: &random),
                           tokensPerMinute: Int.random(in: 10_000 ... 50_000, using: &random), maxConcurrency: 4),
        ]
        var arrivals: [(Int64, Job)] = []
        for _ in 0 ..< 200 {
            let time = Int64.random(in: 0 ... 90_000_000_000, using: &random)
            let prompt = Int.random(in: 10 ... 3_000, using: &random)
            var job = Job(model: ["m1", "m2", "m3"].randomElement(using: &random)!, promptTokens: prompt,
                          maxOutputTokens: Int.random(in: 10 ... 1_000, using: &random),
                          promptCharacters: prompt * Int.random(in: 2 ... 6, using: &random),
                          priority: Int.random(in: 0 ... 2, using: &random))
            if Int.random(in: 0 ..< 10, using: &random) == 0 {
                job.deadline = Instant(nanoseconds: time + Int64.random(in: 1 ... 30, using: &random) * 1_000_000_000)
            }
            arrivals.append((time, job))
        }
        jobs = arrivals.sorted { $0.0 < $1.0 }.map { (at: $0.0, job: $0.1) }
        var configuration = SchedulerConfiguration()
        configuration.seed = seed
        configuration.maxQueueLength = 100
        configuration.maxQueueWait = Bool.random(using: &random) ? .seconds(45) : nil
        configuration.retry.maxAttempts = 4
        self.configuration = configuration
    }

    func execute() throws -> Log {
        var scheduler = try makeScheduler(deployments, queue: queue, allocation: allocation, configuration: configuration)
        var random = SeededRandom(seed: seed ^ 0xABCD)
        var log = Log(maxInFlight: Array(repeating: 0, count: deployments.count))
        var events = EventQueue<Event>()
        var ids: [Int: JobID] = [:]
        var indexOf: [JobID: Int] = [:]
        var running: [JobID: (deployment: Int, attempt: Int, log: Int)] = [:]
        var inFlight = Array(repeating: 0, count: deployments.count)
        for (index, arrival) in jobs.enumerated() { events.push(arrival.at, .arrival(index)) }

        var steps = 0
        while let (now, event) = events.pop() {
            steps += 1
            guard steps < 200_000 else { throw HeadroomError(.invalidJob, "the run did not settle") }
            let instant = Instant(nanoseconds: now)
            var actions: [SchedulerAction]
            switch event {
            case .arrival(let index):
                let submitted = scheduler.submit(jobs[index].job, now: instant)
                ids[index] = submitted.id
                indexOf[submitted.id] = index
                actions = submitted.actions
                if Int.random(in: 0 ..< 25, using: &random) == 0 {
                    events.push(now + Int64.random(in: 0 ... 20_000_000_000, using: &random), .cancel(index))
                }
            case .completion(let id, let attempt):
                guard let run = running[id], run.attempt == attempt else { continue }
                running[id] = nil
                inFlight[run.deployment] -= 1
                let job = jobs[indexOf[id]!].job
                let roll = Int.random(in: 0 ..< 100, using: &random)
                let outcome: AttemptOutcome
                switch roll {
                case 0 ..< 6: outcome = .throttled(retryAfter: Bool.random(using: &random) ? .milliseconds(Int64.random(in: 0 ... 3_000, using: &random)) : nil)
                case 6 ..< 11: outcome = .transientFailure(retryAfter: nil, message: "500")
                case 11 ..< 13: outcome = .permanentFailure(message: "400")
                case 13: outcome = .deploymentUnavailable(message: "401 invalid key")
                default:
                    outcome = .succeeded(Usage(promptTokens: job.promptTokens - Int.random(in: 0 ... min(10, job.promptTokens), using: &random),
                                               completionTokens: Int.random(in: 0 ... job.maxOutputTokens, using: &random)))
                }
                let deployment = deployments[run.deployment]
                switch outcome {
                case .throttled, .deploymentUnavailable: log.attempts[run.log].tokens = 0; log.attempts[run.log].requests = 0
                case .succeeded(let usage): log.attempts[run.log].tokens = deployment.charge.settlement(for: job, usage: usage)
                default: break
                }
                actions = scheduler.complete(id, outcome: outcome, now: instant)
            case .cancel(let index):
                guard let id = ids[index] else { continue }
                actions = scheduler.cancel(id, now: instant)
            case .wake:
                actions = scheduler.tick(now: instant)
            case .enable(let deployment):
                actions = scheduler.enable(deployment, now: instant)
            }
            for action in actions {
                log.actions.append("\(now) \(action)")
                switch action {
                case .dispatch(let id, let name, let attempt):
                    let d = deployments.firstIndex { $0.id == name }!
                    let charge = deployments[d].charge.reservation(for: jobs[indexOf[id]!].job)
                    log.attempts.append(Attempt(deployment: d, time: now, tokens: charge, requests: 1))
                    running[id] = (d, attempt, log.attempts.count - 1)
                    inFlight[d] += 1
                    log.maxInFlight[d] = max(log.maxInFlight[d], inFlight[d])
                    events.push(now + Int64.random(in: 200_000_000 ... 6_000_000_000, using: &random), .completion(id, attempt: attempt))
                case .finish(let id, _, _):
                    log.finishes[id, default: 0] += 1
                    if let run = running.removeValue(forKey: id) { inFlight[run.deployment] -= 1 }
                case .scheduleWakeup(let at):
                    events.push(max(now, at.nanoseconds), .wake)
                case .deploymentDisabled(let deployment, _):
                    log.disabled += 1
                    events.push(now + Int64.random(in: 5_000_000_000 ... 30_000_000_000, using: &random), .enable(deployment))
                }
            }
        }
        log.attempts.sort { $0.time < $1.time }
        log.activeAtEnd = scheduler.snapshot(now: .zero).queued + scheduler.snapshot(now: .zero).inFlight + scheduler.snapshot(now: .zero).backingOff
        return log
    }
}

/// A min-heap of events keyed by (time, insertion order).
struct EventQueue<Event> {
    private var heap: [(time: Int64, order: Int, event: Event)] = []
    private var pushed = 0

    mutating func push(_ time: Int64, _ event: Event) {
        heap.append((time, pushed, event))
        pushed += 1
        var child = heap.count - 1
        while child > 0, before(child, (child - 1) / 2) {
            heap.swapAt(child, (child - 1) / 2)
            child = (child - 1) / 2
        }
    }

    mutating func pop() -> (Int64, Event)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            var smallest = parent
            for child in [2 * parent + 1, 2 * parent + 2] where child < heap.count && before(child, smallest) { smallest = child }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return (top.time, top.event)
    }

    private func before(_ a: Int, _ b: Int) -> Bool {
        (heap[a].time, heap[a].order) < (heap[b].time, heap[b].order)
    }
}
