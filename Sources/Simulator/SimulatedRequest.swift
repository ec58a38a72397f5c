import HeadroomCore

/// One request of a workload: when it arrives, how large it is, how much it will
/// generate, and who it is for.
public struct SimulatedRequest: Hashable, Sendable {
    /// Arrival, from the start of the workload.
    public var arrival: Instant
    /// Prompt tokens.
    public var promptTokens: Int
    /// The `max_tokens` the client sends.
    public var maxTokens: Int
    /// Tokens the model will actually generate (at most `maxTokens`).
    public var outputTokens: Int
    /// The model asked for.
    public var model: String
    /// Priority (larger goes first under priority policies).
    public var priority: Int
    /// The tenant, if the workload names one.
    public var tenant: String?
    /// What the request asks, if the workload says: requests with one key ask the same
    /// (the response cache's key, within a tenant's namespace). `nil`: the cache passes it by.
    public var cacheKey: String?
    /// Whether a provider would give the same answer again (`temperature` 0 or a `seed`): under
    /// the cache's `repeatable` mode only such answers are kept.
    public var isRepeatable: Bool
    /// Whether the request accepts a batch's late answer, if the workload says (`nil`: its tenant's setting decides).
    public var batch: Bool?
    /// How long from its arrival the client waits for the answer, if the workload says (a gateway
    /// client's `x-headroom-deadline`): a request still queued then fails with `deadlineExceeded`, and
    /// under `gateway.batchByDeadline` one that leaves a batch's expected turnaround goes to batch.
    public var deadline: Duration?

    /// Creates a request.
    public init(arrival: Instant, promptTokens: Int, maxTokens: Int, outputTokens: Int,
                model: String = "gpt-4o", priority: Int = 0, tenant: String? = nil,
                cacheKey: String? = nil, isRepeatable: Bool = true) {
        self.arrival = arrival
        self.promptTokens = promptTokens
        self.maxTokens = maxTokens
        self.outputTokens = min(outputTokens, maxTokens)
        self.model = model
        self.priority = priority
        self.tenant = tenant
        self.cacheKey = cacheKey
        self.isRepeatable = isRepeatable
    }

    /// The request as a scheduler job for `models` (by default its own model),
    /// assuming four characters a prompt token.
    public func job(models: [String]? = nil) -> Job {
        var job = Job(models: models ?? [model], promptTokens: 0, maxOutputTokens: 0)
        fill(&job)
        return job
    }

    /// Sets everything of `job` that ``job(models:)`` sets, but its models.
    func fill(_ job: inout Job) {
        job.promptTokens = promptTokens
        job.maxOutputTokens = maxTokens
        job.promptCharacters = promptTokens * 4
        job.priority = priority
        job.tenant = tenant
    }
}

/// A stream of requests in arrival order: read from a trace, generated, or both transformed.
public protocol WorkloadSource {
    /// The next request, `nil` at the end. Arrivals never decrease.
    mutating func next() throws(HeadroomError) -> SimulatedRequest?

    /// Writes the next request over `request` and returns `true`, or returns
    /// `false` at the end (when `request` holds nothing of use).
    ///
    /// The simulator reads requests this way. The default calls ``next()``; a
    /// source that makes its requests itself can write their numbers alone and
    /// spare retaining and releasing their strings.
    mutating func next(into request: inout SimulatedRequest) throws(HeadroomError) -> Bool
}

extension WorkloadSource {
    /// Writes ``next()`` over `request`.
    public mutating func next(into request: inout SimulatedRequest) throws(HeadroomError) -> Bool {
        guard let next = try next() else { return false }
        request = next
        return true
    }
}

extension HeadroomError.Kind {
    /// A trace file is missing, unreadable or malformed.
    public static let invalidTrace = HeadroomError.Kind("invalidTrace")
    /// A scenario file is malformed or names something that does not exist.
    public static let invalidScenario = HeadroomError.Kind("invalidScenario")
}
