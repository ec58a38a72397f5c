import Foundation
import HeadroomCore

/// The live engine's configuration, as a JSON file or in code: the deployments
/// with their limits and credentials (read from environment variables named
/// here, never stored in the file), the policies, and the bounds.
///
/// ```json
/// {
///   "deployments": [
///     {"id": "east", "provider": "azure", "endpoint": "https://east.openai.azure.com",
///      "apiKeyEnvironment": "AZURE_EAST_KEY", "deploymentNames": {"gpt-4o": "gpt4o"},
///      "models": ["gpt-4o"], "requestsPerMinute": 900, "tokensPerMinute": 150000},
///     {"id": "openai", "provider": "openai", "apiKeyEnvironment": "OPENAI_API_KEY",
///      "requestsPerMinute": 500, "tokensPerMinute": 200000, "maxConcurrency": 64}
///   ],
///   "queue": "priority", "allocation": "maxHeadroom", "maxQueueWaitSeconds": 60
/// }
/// ```
public struct EngineConfiguration: Sendable, Codable {
    /// One deployment.
    public struct DeploymentEntry: Sendable, Codable {
        /// A unique name.
        public var id: String
        /// `azure`, `openai` or `openai-compatible`.
        public var provider: String
        /// Azure: the resource's endpoint, `https://NAME.openai.azure.com`.
        public var endpoint: String?
        /// OpenAI or compatible: the API's base; default `https://api.openai.com/v1`.
        public var baseURL: String?
        /// The environment variable that holds the API key.
        public var apiKeyEnvironment: String
        /// Azure: the `api-version` (default 2024-10-21).
        public var apiVersion: String?
        /// Azure: `deployments` (default) or `v1`.
        public var azureRoute: AzureOpenAIAdapter.Route?
        /// Azure: deployment names by model.
        public var deploymentNames: [String: String]?
        /// Models served; none means every model.
        public var models: [String]?
        /// The RPM quota.
        public var requestsPerMinute: Int
        /// The TPM quota.
        public var tokensPerMinute: Int
        /// A cap on requests in flight.
        public var maxConcurrency: Int?
        /// The context window, if known.
        public var contextWindow: Int?
        /// Weight for weighted allocation.
        public var weight: Double?
        /// The window shorter than a minute over which the provider also enforces the limits, in seconds
        /// (default: 10 for Azure, none for the others), as in a scenario file.
        public var subWindowSeconds: Double?
        /// Whether the provider admits the request that crosses a window's limit while the count is below it
        /// (default false), as a scenario's `"admission": "crossing"`.
        public var admitsCrossing: Bool?

        /// Creates an entry.
        public init(id: String, provider: String, endpoint: String? = nil, baseURL: String? = nil, apiKeyEnvironment: String,
                    apiVersion: String? = nil, azureRoute: AzureOpenAIAdapter.Route? = nil, deploymentNames: [String: String]? = nil,
                    models: [String]? = nil, requestsPerMinute: Int, tokensPerMinute: Int, maxConcurrency: Int? = nil,
                    contextWindow: Int? = nil, weight: Double? = nil) {
            self.id = id
            self.provider = provider
            self.endpoint = endpoint
            self.baseURL = baseURL
            self.apiKeyEnvironment = apiKeyEnvironment
            self.apiVersion = apiVersion
            self.azureRoute = azureRoute
            self.deploymentNames = deploymentNames
            self.models = models
            self.requestsPerMinute = requestsPerMinute
            self.tokensPerMinute = tokensPerMinute
            self.maxConcurrency = maxConcurrency
            self.contextWindow = contextWindow
            self.weight = weight
        }
    }

    /// The deployments.
    public var deployments: [DeploymentEntry]
    /// `fifo` (default) or `priority`.
    public var queue: String?
    /// `maxHeadroom` (default), `weightedRandom`, `roundRobin` or `leastLoaded`.
    public var allocation: String?
    /// Submissions beyond this many waiting requests fail with `queueFull` (default 10,000).
    public var maxQueueLength: Int?
    /// Requests waiting longer fail with `queueWaitExceeded` (default ``defaultMaxQueueWaitSeconds``):
    /// a caller gets an answer, with when to try again, rather than hang until it gives up.
    public var maxQueueWaitSeconds: Double?
    /// The longest a request waits for a deployment when the configuration does not say: one minute.
    public static let defaultMaxQueueWaitSeconds = 60.0
    /// The share of each limit to plan for, in (0, 1] (default 1).
    public var targetUtilization: Double?
    /// Attempts in all, the first included (default 5).
    public var maxAttempts: Int?
    /// How long one attempt may wait for the response's head (default 120 s).
    public var attemptTimeoutSeconds: Double?
    /// The output limit of requests that set none (default 4,096): sent upstream as `max_tokens`, so that what
    /// the engine reserves and what the provider charges agree.
    public var defaultMaxTokens: Int?
    /// The longest a request takes in all, waits and attempts included (default 600 s): past it the
    /// attempt under way is abandoned and the caller gets `deadlineExceeded`, however the upstream trickles.
    public var requestTimeoutSeconds: Double?
    /// The most bytes read of a provider's answer, and of one event of a stream (default 64 MiB): past it the
    /// answer is abandoned as broken rather than held in memory, a decompressed one included.
    public var maxAnswerBytes: Int?
    /// The bound on answers when the configuration does not say: 64 MiB, room for 2,048 embeddings of 3,072 dimensions.
    public static let defaultMaxAnswerBytes = 64 << 20

    /// Creates a configuration.
    public init(deployments: [DeploymentEntry], queue: String? = nil, allocation: String? = nil, maxQueueLength: Int? = nil,
                maxQueueWaitSeconds: Double? = nil, targetUtilization: Double? = nil, maxAttempts: Int? = nil,
                attemptTimeoutSeconds: Double? = nil, defaultMaxTokens: Int? = nil) {
        self.deployments = deployments
        self.queue = queue
        self.allocation = allocation
        self.maxQueueLength = maxQueueLength
        self.maxQueueWaitSeconds = maxQueueWaitSeconds
        self.targetUtilization = targetUtilization
        self.maxAttempts = maxAttempts
        self.attemptTimeoutSeconds = attemptTimeoutSeconds
        self.defaultMaxTokens = defaultMaxTokens
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case deployments, queue, allocation, maxQueueLength, maxQueueWaitSeconds, targetUtilization, maxAttempts
        case attemptTimeoutSeconds, defaultMaxTokens, requestTimeoutSeconds, maxAnswerBytes
    }

    /// The names of the fields a configuration file may hold, for formats that embed one (the gateway's).
    public static let fieldNames = Set(CodingKeys.allCases.map(\.rawValue))

    /// Reads a configuration file.
    public static func load(path: String) throws(HeadroomError) -> EngineConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HeadroomError(.invalidConfiguration, "Cannot read the engine configuration '\(path)'. Check the path.")
        }
        do {
            return try JSONDecoder().decode(EngineConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw HeadroomError(.invalidConfiguration, "\(path): \(error.problem)")
        } catch {
            throw HeadroomError(.invalidConfiguration, "\(path) is not a valid engine configuration: \(error).")
        }
    }

    /// The scheduler's view and the adapter of each deployment, keys read from `environment`.
    func resolve(environment: [String: String]) throws(HeadroomError) -> [(Deployment, any ProviderAdapter)] {
        try deployments.map { entry throws(HeadroomError) -> (Deployment, any ProviderAdapter) in
            let key = try APIKey(environment: entry.apiKeyEnvironment, in: environment)
            let adapter: any ProviderAdapter
            switch entry.provider.lowercased() {
            case "azure", "azureopenai":
                guard let endpoint = entry.endpoint else {
                    throw HeadroomError(.invalidConfiguration, "Deployment '\(entry.id)': an Azure deployment needs \"endpoint\".")
                }
                adapter = AzureOpenAIAdapter(endpoint: endpoint, apiKey: key, apiVersion: entry.apiVersion ?? "2024-10-21",
                                             deployments: entry.deploymentNames ?? [:], route: entry.azureRoute ?? .deployments)
            case "openai":
                adapter = OpenAIAdapter(baseURL: entry.baseURL ?? "https://api.openai.com/v1", apiKey: key)
            case "openai-compatible", "compatible":
                guard let baseURL = entry.baseURL else {
                    throw HeadroomError(.invalidConfiguration, "Deployment '\(entry.id)': an OpenAI-compatible deployment needs \"baseURL\".")
                }
                adapter = OpenAIAdapter(baseURL: baseURL, apiKey: key, provider: .openAICompatible)
            default:
                throw HeadroomError(.invalidConfiguration, "Deployment '\(entry.id)': provider '\(entry.provider)' is not azure, openai or openai-compatible.")
            }
            var windows = RateWindows.default(for: adapter.provider)
            if let seconds = entry.subWindowSeconds {
                guard seconds >= 0.001 && seconds < 60 else {
                    throw HeadroomError(.invalidConfiguration, "Deployment '\(entry.id)': subWindowSeconds is \(seconds); it must be from 0.001 to below 60.")
                }
                windows = RateWindows(subWindows: [.seconds(seconds)])
                windows.refillsContinuously = RateWindows.default(for: adapter.provider).refillsContinuously
            }
            windows.admitsCrossing = entry.admitsCrossing ?? false
            let deployment = try Deployment(
                id: DeploymentID(entry.id), provider: adapter.provider, models: Set(entry.models ?? []),
                contextWindow: entry.contextWindow, requestsPerMinute: entry.requestsPerMinute,
                tokensPerMinute: entry.tokensPerMinute, maxConcurrency: entry.maxConcurrency, weight: entry.weight ?? 1,
                windows: windows
            )
            return (deployment, adapter)
        }
    }

    /// The engine's own bounds, checked: a configuration is input from outside.
    func limits() throws(HeadroomError) -> EngineLimits {
        func checked<Value: Comparable>(_ value: Value?, _ name: String, default fallback: Value,
                                        in range: ClosedRange<Value>) throws(HeadroomError) -> Value {
            let value = value ?? fallback
            guard range.contains(value) else {
                throw HeadroomError(.invalidConfiguration, "\(name) is \(value); it must be from \(range.lowerBound) to \(range.upperBound).")
            }
            return value
        }
        let week = 7 * 86_400.0
        return EngineLimits(
            attemptTimeout: .seconds(try checked(attemptTimeoutSeconds, "attemptTimeoutSeconds", default: 120, in: 0.001 ... week)),
            requestTimeout: .seconds(try checked(requestTimeoutSeconds, "requestTimeoutSeconds", default: 600, in: 0.001 ... week)),
            defaultMaxTokens: try checked(defaultMaxTokens, "defaultMaxTokens", default: 4_096, in: 1 ... 1_000_000_000),
            maxAnswerBytes: try checked(maxAnswerBytes, "maxAnswerBytes", default: Self.defaultMaxAnswerBytes, in: 1_024 ... 1 << 30)
        )
    }

    /// The scheduler's configuration.
    func schedulerConfiguration() throws(HeadroomError) -> SchedulerConfiguration {
        var configuration = SchedulerConfiguration()
        if let length = maxQueueLength { configuration.maxQueueLength = length }
        let wait = maxQueueWaitSeconds ?? Self.defaultMaxQueueWaitSeconds
        // Checked before it becomes a duration: converting an absurd number traps.
        guard wait > 0 && wait <= 10_000_000 else {
            throw HeadroomError(.invalidConfiguration, "maxQueueWaitSeconds is \(wait); it must be above 0 and at most 10,000,000 (about four months).")
        }
        configuration.maxQueueWait = .seconds(wait)
        configuration.targetUtilization = targetUtilization ?? 1
        configuration.retry.maxAttempts = maxAttempts ?? configuration.retry.maxAttempts
        try configuration.validate()
        return configuration
    }
}
