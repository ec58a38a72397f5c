import HeadroomCore

/// One deployment in a simulation: the mock endpoint that plays it, and what
/// the client is told about it.
public struct SimulatedDeployment: Hashable, Sendable, Codable {
    /// Its name.
    public var id: String
    /// Models it serves; empty serves all.
    public var models: Set<String>
    /// How the mock behaves (and the limits the client is configured with).
    public var endpoint: EndpointModel
    /// The concurrency cap the client applies, if any.
    public var maxConcurrency: Int?
    /// The context window the client is told of, if any.
    public var contextWindow: Int?
    /// Weight for weighted allocation.
    public var weight: Double
    /// For a batch deployment: how its mock behaves, and the rules its files and polls follow.
    public var batch: BatchEndpoint?

    /// A batch deployment's mock and rules.
    public struct BatchEndpoint: Hashable, Sendable, Codable {
        /// How the mock behaves.
        public var model: BatchEndpointModel
        /// When files go, how batches are polled, the grace period.
        public var rules: BatchRules

        /// Creates one.
        public init(model: BatchEndpointModel, rules: BatchRules = BatchRules()) {
            self.model = model
            self.rules = rules
        }
    }

    /// Creates a deployment.
    public init(id: String, models: Set<String> = [], endpoint: EndpointModel, maxConcurrency: Int? = nil,
                contextWindow: Int? = nil, weight: Double = 1) {
        self.id = id
        self.models = models
        self.endpoint = endpoint
        self.maxConcurrency = maxConcurrency
        self.contextWindow = contextWindow
        self.weight = weight
    }

    /// The scheduler's view of this deployment: the mock's limits, and its provider's charge and windows.
    public func deployment() throws(HeadroomError) -> Deployment {
        var windows = RateWindows.perMinute
        if case .azure(let seconds) = endpoint.limiter, seconds < 60 {
            windows = RateWindows(subWindows: [.seconds(seconds)])
        }
        windows.admitsCrossing = endpoint.admission == .crossing
        if case .azure = endpoint.limiter {} else { windows.refillsContinuously = true }
        if let batch {
            return try Deployment(id: DeploymentID(id), provider: endpoint.provider, models: models, contextWindow: contextWindow,
                                  requestsPerMinute: Deployment.largestQuota, tokensPerMinute: Deployment.largestQuota,
                                  maxConcurrency: maxConcurrency, weight: weight, charge: .promptOnly, windows: .perMinute,
                                  kind: .batch, maxEnqueuedTokens: batch.model.maxEnqueuedTokens)
        }
        return try Deployment(id: DeploymentID(id), provider: endpoint.provider, models: models, contextWindow: contextWindow,
                              requestsPerMinute: endpoint.requestsPerMinute, tokensPerMinute: endpoint.tokensPerMinute,
                              maxConcurrency: maxConcurrency, weight: weight, windows: windows,
                              outputTokensPerMinute: endpoint.outputTokensPerMinute)
    }
}
