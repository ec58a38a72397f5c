/// One place requests can be sent: an Azure OpenAI deployment, an OpenAI key,
/// an OpenAI-compatible server, with its own quota.
///
/// ```swift
/// let east = try Deployment(
///     id: "azure-east", provider: .azureOpenAI, models: ["gpt-4o"],
///     contextWindow: 128_000, requestsPerMinute: 600, tokensPerMinute: 100_000,
///     maxConcurrency: 32
/// )
/// ```
public struct Deployment: Sendable {
    /// Unique name within a scheduler.
    public var id: DeploymentID
    /// The provider family; decides the default ``charge`` and ``windows``.
    public var provider: ProviderKind
    /// Models this deployment serves; empty means it serves every model.
    public var models: Set<String>
    /// The most prompt plus output tokens one request may use, if known.
    public var contextWindow: Int?
    /// Requests per minute the provider allows.
    public var requestsPerMinute: Int
    /// Tokens per minute the provider allows, as ``charge`` counts them.
    public var tokensPerMinute: Int
    /// Output tokens per minute the provider allows, when it limits them apart from the others
    /// (Anthropic's output-token limit; default for Anthropic: none given, none enforced).
    /// Each request reserves its `max_tokens` against it, settled at what it generated.
    public var outputTokensPerMinute: Int?
    /// The most requests in flight at once, if capped.
    public var maxConcurrency: Int?
    /// Relative share for weighted allocation policies; 1 by default.
    public var weight: Double
    /// How the provider charges a request against `tokensPerMinute`.
    public var charge: ChargeRule
    /// The windows over which the limits are enforced.
    public var windows: RateWindows
    /// How it answers: at once, or from batch files (only jobs that ``Job/acceptsBatch`` go to a batch one).
    public var kind: DeploymentKind
    /// The most tokens, as ``charge`` counts them, that may be in flight on it at once, if capped: a batch
    /// endpoint's enqueued-token quota. A job holds its charge from dispatch until its attempt ends.
    public var maxEnqueuedTokens: Int?

    /// Creates a deployment, checking every figure.
    ///
    /// - Throws: ``HeadroomError/Kind/invalidConfiguration`` naming the field,
    ///   its value and the accepted range.
    public init(
        id: DeploymentID,
        provider: ProviderKind,
        models: Set<String> = [],
        contextWindow: Int? = nil,
        requestsPerMinute: Int,
        tokensPerMinute: Int,
        maxConcurrency: Int? = nil,
        weight: Double = 1,
        charge: ChargeRule? = nil,
        windows: RateWindows? = nil,
        outputTokensPerMinute: Int? = nil,
        kind: DeploymentKind = .synchronous,
        maxEnqueuedTokens: Int? = nil
    ) throws(HeadroomError) {
        self.id = id
        self.provider = provider
        self.models = models
        self.contextWindow = contextWindow
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.maxConcurrency = maxConcurrency
        self.weight = weight
        self.charge = charge ?? .default(for: provider)
        self.windows = windows ?? .default(for: provider)
        self.outputTokensPerMinute = outputTokensPerMinute
        self.kind = kind
        self.maxEnqueuedTokens = maxEnqueuedTokens
        try validate()
    }

    /// The largest quota the scheduler accepts, in requests or tokens a minute:
    /// far above any provider's, and small enough that its arithmetic cannot overflow.
    public static let largestQuota = 1_000_000_000_000

    /// Checks every figure; the scheduler calls this again, since fields are mutable.
    public func validate() throws(HeadroomError) {
        func fail(_ problem: String) -> HeadroomError {
            HeadroomError(.invalidConfiguration, "Deployment '\(id)': \(problem)")
        }
        if id.rawValue.isEmpty { throw fail("the id is empty; give every deployment a unique name.") }
        if !(requestsPerMinute >= 1 && requestsPerMinute <= Self.largestQuota) {
            throw fail("requestsPerMinute is \(requestsPerMinute); it must be from 1 to 1,000,000,000,000 (the deployment's RPM quota).")
        }
        if !(tokensPerMinute >= 1 && tokensPerMinute <= Self.largestQuota) {
            throw fail("tokensPerMinute is \(tokensPerMinute); it must be from 1 to 1,000,000,000,000 (the deployment's TPM quota).")
        }
        if let output = outputTokensPerMinute, !(output >= 1 && output <= Self.largestQuota) {
            throw fail("outputTokensPerMinute is \(output); it must be from 1 to 1,000,000,000,000, or nil when output is not limited apart.")
        }
        if let cap = maxEnqueuedTokens, !(cap >= 1 && cap <= Self.largestQuota) {
            throw fail("maxEnqueuedTokens is \(cap); it must be from 1 to 1,000,000,000,000, or nil for no cap.")
        }
        if let cap = maxConcurrency, cap <= 0 {
            throw fail("maxConcurrency is \(cap); it must be at least 1, or nil for no cap.")
        }
        if let window = contextWindow, window <= 0 {
            throw fail("contextWindow is \(window); it must be at least 1, or nil if unknown.")
        }
        if !(weight.isFinite && weight > 0) {
            throw fail("weight is \(weight); it must be a positive finite number.")
        }
        if models.contains("") { throw fail("a model name is empty.") }
    }

    /// Whether this deployment serves one of `wanted` (any model when `wanted` is empty).
    func serves(anyOf wanted: [String]) -> Bool {
        models.isEmpty || wanted.isEmpty || wanted.contains(where: models.contains)
    }

    /// The most one request may be charged here: its tokens a minute, or its enqueued-token cap if lower.
    var largestCharge: Int { min(tokensPerMinute, maxEnqueuedTokens ?? .max) }
}
