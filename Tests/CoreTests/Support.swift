import HeadroomCore
import HeadroomPolicies
import Testing

extension SchedulerEvents {
    mutating func complete(_ id: JobID, outcome: AttemptOutcome, now: Instant) -> [SchedulerAction] {
        complete(id, outcome: outcome, rateLimits: nil, now: now)
    }
}

enum QueueKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case fifo, fifoPassing, priority
    var testDescription: String { rawValue }
}

enum AllocationKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case maxHeadroom, weightedRandom, roundRobin, leastLoaded
    var testDescription: String { rawValue }
}

func makeScheduler(
    _ deployments: [Deployment],
    queue: QueueKind = .fifo,
    allocation: AllocationKind = .maxHeadroom,
    configuration: SchedulerConfiguration = .exact
) throws -> any SchedulerEvents {
    func with<Q: QueuePolicy>(_ q: Q) throws -> any SchedulerEvents {
        switch allocation {
        case .maxHeadroom: try Scheduler(deployments: deployments, queue: q, allocation: .maxHeadroom, configuration: configuration)
        case .weightedRandom: try Scheduler(deployments: deployments, queue: q, allocation: .weightedRandom, configuration: configuration)
        case .roundRobin: try Scheduler(deployments: deployments, queue: q, allocation: .roundRobin, configuration: configuration)
        case .leastLoaded: try Scheduler(deployments: deployments, queue: q, allocation: .leastLoaded, configuration: configuration)
        }
    }
    switch queue {
    case .fifo: return try with(.fifo)
    case .fifoPassing: return try with(.fifo(smallerJobsMayPass: 4))
    case .priority: return try with(.priority)
    }
}

extension SchedulerConfiguration {
    /// Defaults, with jitter off so waits are exact.
    static var exact: SchedulerConfiguration {
        var configuration = SchedulerConfiguration()
        configuration.retry.jitter = 0
        return configuration
    }
}

/// An OpenAI-compatible deployment: reserves prompt + max output, sliding minute only.
func server(
    _ id: DeploymentID, rpm: Int = 1_000, tpm: Int = 1_000_000, models: Set<String> = [],
    context: Int? = nil, concurrency: Int? = nil, windows: RateWindows = .perMinute, charge: ChargeRule = .actualUsage
) throws -> Deployment {
    try Deployment(id: id, provider: .openAICompatible, models: models, contextWindow: context,
                   requestsPerMinute: rpm, tokensPerMinute: tpm, maxConcurrency: concurrency,
                   charge: charge, windows: windows)
}

func job(_ prompt: Int = 100, _ output: Int = 100, model: String = "m", priority: Int = 0, deadline: Instant? = nil) -> Job {
    Job(model: model, promptTokens: prompt, maxOutputTokens: output, priority: priority, deadline: deadline)
}

func at(_ seconds: Double) -> Instant { .seconds(seconds) }

/// The error a `.finish(_, .failed, _)` carries, if that is what `action` is.
func failure(_ action: SchedulerAction?) -> HeadroomError? {
    if case .finish(_, .failed(let error), _)? = action { return error }
    return nil
}

/// The finish of job `id`, served on its attempt number `attempts` by `deployment`, which used `usage`.
func served(_ id: JobID, by deployment: DeploymentID, attempts: Int = 1, _ usage: Usage) -> SchedulerAction {
    .finish(id, .succeeded, JobAccount(deployment: deployment, attempts: attempts, usage: usage))
}

/// The usage of ``ok``.
let okUsage = Usage(promptTokens: 100, completionTokens: 50)

let ok = AttemptOutcome.succeeded(okUsage)
