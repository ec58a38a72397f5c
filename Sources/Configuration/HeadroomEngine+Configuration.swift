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
        var secrets: [String] = []
        for settings in configuration.deployments {
            guard let variable = settings.apiKeyEnvironment else {
                throw HeadroomError(.invalidConfiguration,
                                    "Deployment '\(settings.id)': give \"apiKeyEnvironment\", the environment variable that holds its API key.")
            }
            let key = try APIKey(environment: variable, in: environment)
            secrets.append(key.value)
            adapters[DeploymentID(settings.id)] = try registry.provider(named: settings.provider, for: settings.id).adapter(settings, key)
        }
        let redaction = Redaction(
            secrets: secrets,
            addresses: Dictionary(configuration.deployments.compactMap { entry in (entry.endpoint ?? entry.baseURL).map { ($0, entry.id) } },
                                  uniquingKeysWith: { first, _ in first })
        )
        try self.init(scheduler, adapters: adapters, transport: transport, tokenizer: ClassEstimate(.o200k),
                      limits: try (configuration.engine ?? EngineSettings()).limits(), clock: clock, redaction: redaction)
    }
}

extension EngineSettings {
    /// The engine's bounds, checked: a configuration is input from outside.
    public func limits() throws(HeadroomError) -> EngineLimits {
        func checked<Value: Comparable>(_ value: Value?, _ name: String, default fallback: Value,
                                        in range: ClosedRange<Value>) throws(HeadroomError) -> Value {
            let value = value ?? fallback
            guard range.contains(value) else {
                throw HeadroomError(.invalidConfiguration, "engine.\(name) is \(value); it must be from \(range.lowerBound) to \(range.upperBound).")
            }
            return value
        }
        let week = 7 * 86_400.0, defaults = EngineLimits()
        return EngineLimits(
            attemptTimeout: .seconds(try checked(attemptTimeoutSeconds, "attemptTimeoutSeconds", default: defaults.attemptTimeout / .seconds(1),
                                                 in: 0.001 ... week)),
            requestTimeout: .seconds(try checked(requestTimeoutSeconds, "requestTimeoutSeconds", default: defaults.requestTimeout / .seconds(1),
                                                 in: 0.001 ... week)),
            defaultMaxTokens: try checked(defaultMaxTokens, "defaultMaxTokens", default: defaults.defaultMaxTokens, in: 1 ... 1_000_000_000),
            maxAnswerBytes: try checked(maxAnswerBytes, "maxAnswerBytes", default: defaults.maxAnswerBytes, in: 1_024 ... 1 << 30)
        )
    }
}
