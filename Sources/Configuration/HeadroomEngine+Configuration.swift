import Foundation
import HeadroomAdapters
import HeadroomCore
import HeadroomTokenizers

extension HeadroomEngine {
    /// Creates an engine from a configuration: its deployments (each needs `apiKeyEnvironment`, and
    /// what its provider needs to be reached), its `scheduler` section, with the policies and providers
    /// `registry` names, and its `engine` bounds. Keys are read from `environment` by the names given.
    /// With a `sharedState` section the engine starts with no share of any deployment and sends
    /// nothing until ``share(_:for:)`` grants one (the gateway's Redis leases do).
    ///
    /// ```swift
    /// let engine = try HeadroomEngine(configuration: .load(path: "headroom.json"))
    /// ```
    public init(configuration: HeadroomConfiguration, registry: Registry = .standard, transport: any HTTPTransport = URLSessionTransport(),
                environment: [String: String] = ProcessInfo.processInfo.environment,
                clock: any EngineClock = ContinuousEngineClock()) throws(HeadroomError) {
        let scheduler = try configuration.schedulerEvents(registry: registry, initialShare: configuration.sharedState == nil ? 1 : 0)
        var adapters: [DeploymentID: any ProviderAdapter] = [:]
        var batches: [DeploymentID: BatchDeployment] = [:]
        var secrets: [String] = []
        for settings in configuration.deployments {
            guard let variable = settings.apiKeyEnvironment else {
                throw HeadroomError(.invalidConfiguration,
                                    "Deployment '\(settings.id)': give \"apiKeyEnvironment\", the environment variable that holds its API key.")
            }
            let key = try APIKey(environment: variable, in: environment)
            secrets.append(key.value)
            let profile = try registry.provider(named: settings.provider, for: settings.id)
            adapters[DeploymentID(settings.id)] = try profile.adapter(settings, key)
            if let rules = try settings.batchRules() {
                batches[DeploymentID(settings.id)] = BatchDeployment(api: try settings.batchAPI(kind: profile.kind, key: key), rules: rules)
            }
        }
        let journal = try batches.isEmpty ? nil : BatchJournal(path: configuration.engine?.batchJournal ?? "headroom-batches.jsonl")
        let redaction = Redaction(
            secrets: secrets,
            addresses: Dictionary(configuration.deployments.compactMap { entry in (entry.endpoint ?? entry.baseURL).map { ($0, entry.id) } },
                                  uniquingKeysWith: { first, _ in first })
        )
        try self.init(scheduler, adapters: adapters, transport: transport, tokenizer: ClassEstimate(.o200k),
                      limits: try (configuration.engine ?? EngineSettings()).limits(), clock: clock, redaction: redaction,
                      batches: batches, journal: journal)
    }
}

extension DeploymentSettings {
    /// How a batch deployment's Batch API is reached.
    func batchAPI(kind: ProviderKind, key: APIKey) throws(HeadroomError) -> BatchAPI {
        switch kind {
        case .azureOpenAI:
            guard let endpoint else {
                throw HeadroomError(.invalidConfiguration, "Deployment '\(id)': give \"endpoint\", the Azure OpenAI resource's URL.")
            }
            let dated = batch?.azureRoute == "dated"
            return BatchAPI(.azure(endpoint: endpoint, apiVersion: dated ? apiVersion ?? "2024-10-21" : nil, deployments: deploymentNames ?? [:]), apiKey: key)
        default:
            return BatchAPI(.openAI(baseURL: baseURL ?? "https://api.openai.com/v1"), apiKey: key)
        }
    }
}

extension EngineSettings {
    /// The engine's bounds, checked: a configuration is input from outside.
    public func limits() throws(HeadroomError) -> EngineLimits {
        let week = 7 * 86_400.0, defaults = EngineLimits()
        return EngineLimits(
            attemptTimeout: .seconds(try Self.checked(attemptTimeoutSeconds, "attemptTimeoutSeconds", default: defaults.attemptTimeout / .seconds(1),
                                                      in: 0.001 ... week)),
            requestTimeout: try requestTimeout(),
            defaultMaxTokens: try Self.checked(defaultMaxTokens, "defaultMaxTokens", default: defaults.defaultMaxTokens, in: 1 ... 1_000_000_000),
            maxAnswerBytes: try Self.checked(maxAnswerBytes, "maxAnswerBytes", default: defaults.maxAnswerBytes, in: 1_024 ... 1 << 30),
            maxKeptAnswerBytes: try Self.checked(maxKeptAnswerBytes, "maxKeptAnswerBytes", default: defaults.maxKeptAnswerBytes, in: 0 ... 1 << 40)
        )
    }

    /// The longest a request takes in all, checked: the engine's bound, and the simulator's for a
    /// request that gives a deadline.
    public func requestTimeout() throws(HeadroomError) -> Duration {
        .seconds(try Self.checked(requestTimeoutSeconds, "requestTimeoutSeconds", default: EngineLimits().requestTimeout / .seconds(1),
                                  in: 0.001 ... 7 * 86_400.0))
    }

    private static func checked<Value: Comparable>(_ value: Value?, _ name: String, default fallback: Value,
                                                   in range: ClosedRange<Value>) throws(HeadroomError) -> Value {
        let value = value ?? fallback
        guard range.contains(value) else {
            throw HeadroomError(.invalidConfiguration, "engine.\(name) is \(value); it must be from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }
}
