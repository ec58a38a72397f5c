import HeadroomCore

/// One deployment in a configuration: its provider and limits, which the scheduler
/// plans with; where and how to reach it, which the engine and the gateway use; and
/// how a mock of it behaves, which the simulator and `headroom-mock` use. Each
/// program reads the fields it needs and passes over the others, so one file
/// serves all four.
///
/// ```json
/// {"id": "east", "provider": "azure", "tokensPerMinute": 150000, "models": ["gpt-4o"],
///  "endpoint": "https://east.openai.azure.com", "apiKeyEnvironment": "AZURE_EAST_KEY",
///  "deploymentNames": {"gpt-4o": "gpt4o"},
///  "latency": {"firstTokenSeconds": 0.5}, "faults": {"errorRate": 0.005}}
/// ```
public struct DeploymentSettings: Hashable, Sendable, Codable {
    /// A unique name.
    public var id: String
    /// The provider's name in the ``Registry``: `azure`, `openai`, `openai-compatible`, or one registered.
    public var provider: String
    /// Models served; none means every model.
    public var models: [String]?
    /// The RPM quota (default: 6 per 1,000 tokens a minute on Azure, 1 per 1,000 elsewhere).
    public var requestsPerMinute: Int?
    /// The TPM quota (Anthropic: input tokens a minute). A batch deployment has none: leave it out.
    public var tokensPerMinute: Int
    /// Output tokens a minute, where the provider limits them apart (Anthropic's OTPM; required for it).
    public var outputTokensPerMinute: Int?
    /// A cap on requests in flight.
    public var maxConcurrency: Int?
    /// The context window, if known.
    public var contextWindow: Int?
    /// Weight for weighted allocation (default 1).
    public var weight: Double?
    /// The window shorter than a minute over which the provider also enforces the limits, in seconds
    /// (default: the provider's; 10 on Azure).
    public var subWindowSeconds: Double?
    /// When a window lets a request in: `withinLimits` (default) or `crossing` (while the counts are below
    /// the limits, so the request that crosses one still gets in, as Azure describes its windows).
    public var admission: Admission?
    /// `synchronous` (default) or `batch`: a Batch API endpoint, answering within hours at a discount,
    /// which only requests that accept batch go to.
    public var kind: DeploymentKind?
    /// A cap on the tokens in flight at once: a batch deployment's enqueued-token quota (required for one).
    public var maxEnqueuedTokens: Int?
    /// A batch deployment's files, polls and grace period, and how its mock behaves.
    public var batch: BatchSettings?

    // Live: where and how to reach it.

    /// Azure: the resource's endpoint, `https://NAME.openai.azure.com`.
    public var endpoint: String?
    /// OpenAI or compatible: the API's base; default `https://api.openai.com/v1`.
    public var baseURL: String?
    /// The environment variable that holds the API key (never the key itself).
    public var apiKeyEnvironment: String?
    /// Azure: the `api-version` (default 2024-10-21).
    public var apiVersion: String?
    /// Azure: `deployments` (default) or `v1`.
    public var azureRoute: String?
    /// Azure: deployment names by model.
    public var deploymentNames: [String: String]?

    // Simulated: how a mock of it behaves.

    /// The mock's response times.
    public var latency: LatencyModel?
    /// The mock's errors, time-outs, outages and traffic from other clients.
    public var faults: FaultModel?
    /// What the mock's rate-limit headers say (default: what the provider sends).
    public var headers: String?
    /// Whether the mock's Azure limiter counts the minute as well as the sub-window (default true).
    public var minuteWindow: Bool?

    /// When a window lets a request in.
    public enum Admission: String, Hashable, Sendable, Codable, CaseIterable {
        /// Only if its charge fits what is left (or the window is empty).
        case withinLimits
        /// While the window's counts are below the limits.
        case crossing
    }

    /// Creates an entry; what is left out takes its default.
    public init(id: String, provider: String, tokensPerMinute: Int, requestsPerMinute: Int? = nil, models: [String]? = nil,
                maxConcurrency: Int? = nil, contextWindow: Int? = nil, weight: Double? = nil, endpoint: String? = nil,
                baseURL: String? = nil, apiKeyEnvironment: String? = nil, deploymentNames: [String: String]? = nil) {
        self.id = id
        self.provider = provider
        self.tokensPerMinute = tokensPerMinute
        self.requestsPerMinute = requestsPerMinute
        self.models = models
        self.maxConcurrency = maxConcurrency
        self.contextWindow = contextWindow
        self.weight = weight
        self.endpoint = endpoint
        self.baseURL = baseURL
        self.apiKeyEnvironment = apiKeyEnvironment
        self.deploymentNames = deploymentNames
    }

    /// Decodes an entry; a batch deployment may leave out its per-minute quotas.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        provider = try c.decode(String.self, forKey: .provider)
        kind = try c.decodeIfPresent(DeploymentKind.self, forKey: .kind)
        if kind == .batch {
            tokensPerMinute = try c.decodeIfPresent(Int.self, forKey: .tokensPerMinute) ?? Deployment.largestQuota
        } else {
            tokensPerMinute = try c.decode(Int.self, forKey: .tokensPerMinute)
        }
        models = try c.decodeIfPresent([String].self, forKey: .models)
        requestsPerMinute = try c.decodeIfPresent(Int.self, forKey: .requestsPerMinute)
        outputTokensPerMinute = try c.decodeIfPresent(Int.self, forKey: .outputTokensPerMinute)
        maxConcurrency = try c.decodeIfPresent(Int.self, forKey: .maxConcurrency)
        contextWindow = try c.decodeIfPresent(Int.self, forKey: .contextWindow)
        weight = try c.decodeIfPresent(Double.self, forKey: .weight)
        subWindowSeconds = try c.decodeIfPresent(Double.self, forKey: .subWindowSeconds)
        admission = try c.decodeIfPresent(Admission.self, forKey: .admission)
        maxEnqueuedTokens = try c.decodeIfPresent(Int.self, forKey: .maxEnqueuedTokens)
        batch = try c.decodeIfPresent(BatchSettings.self, forKey: .batch)
        endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint)
        baseURL = try c.decodeIfPresent(String.self, forKey: .baseURL)
        apiKeyEnvironment = try c.decodeIfPresent(String.self, forKey: .apiKeyEnvironment)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        azureRoute = try c.decodeIfPresent(String.self, forKey: .azureRoute)
        deploymentNames = try c.decodeIfPresent([String: String].self, forKey: .deploymentNames)
        latency = try c.decodeIfPresent(LatencyModel.self, forKey: .latency)
        faults = try c.decodeIfPresent(FaultModel.self, forKey: .faults)
        headers = try c.decodeIfPresent(String.self, forKey: .headers)
        minuteWindow = try c.decodeIfPresent(Bool.self, forKey: .minuteWindow)
    }

    /// Whether it is a Batch API endpoint.
    public var isBatch: Bool { kind == .batch }

    /// A batch deployment's rules (`nil` for a synchronous one).
    public func batchRules() throws(HeadroomError) -> BatchRules? {
        guard isBatch else {
            if batch != nil { throw HeadroomError(.invalidConfiguration, "Deployment '\(id)': a \"batch\" section needs \"kind\": \"batch\".") }
            return nil
        }
        return try (batch ?? BatchSettings()).rules(for: id)
    }

    /// The scheduler's view of this deployment, with the defaults of its provider in `providers`.
    public func deployment(registry: Registry = .standard) throws(HeadroomError) -> Deployment {
        let profile = try registry.provider(named: provider, for: id)
        var windows = profile.windows
        if let seconds = subWindowSeconds {
            guard seconds >= 0.001 && seconds <= 60 else {
                throw HeadroomError(.invalidConfiguration, "Deployment '\(id)': subWindowSeconds is \(seconds); it must be from 0.001 to 60.")
            }
            let refills = windows.refillsContinuously
            windows = RateWindows(subWindows: [.seconds(seconds)])
            windows.refillsContinuously = refills
        }
        windows.admitsCrossing = admission == .crossing
        if profile.limitsOutputApart && outputTokensPerMinute == nil {
            throw HeadroomError(.invalidConfiguration,
                                "Deployment '\(id)': provider '\(provider)' limits output apart; give \"outputTokensPerMinute\", its output-token limit.")
        }
        _ = try batchRules()
        if isBatch {
            guard profile.kind == .openAI || profile.kind == .azureOpenAI else {
                throw HeadroomError(.invalidConfiguration, "Deployment '\(id)': provider '\(provider)' has no Batch API here; a batch deployment is \"openai\" or \"azure\".")
            }
            guard maxEnqueuedTokens != nil else {
                throw HeadroomError(.invalidConfiguration, "Deployment '\(id)': a batch deployment needs \"maxEnqueuedTokens\", its enqueued-token quota.")
            }
        }
        return try Deployment(
            id: DeploymentID(id), provider: profile.kind, models: Set(models ?? []), contextWindow: contextWindow,
            requestsPerMinute: requestsPerMinute ?? (isBatch ? Deployment.largestQuota : profile.requestsPerMinute(tokensPerMinute: tokensPerMinute)),
            tokensPerMinute: tokensPerMinute, maxConcurrency: maxConcurrency, weight: weight ?? 1,
            // A batch quota counts the input tokens enqueued (OpenAI's and Azure's rule).
            charge: isBatch ? .promptOnly : profile.charge, windows: windows, outputTokensPerMinute: outputTokensPerMinute,
            kind: kind ?? .synchronous, maxEnqueuedTokens: maxEnqueuedTokens
        )
    }
}
