import Foundation
import HeadroomCore

/// One configuration for every program: `headroom simulate`, ``HeadroomEngine``,
/// `headroom-gateway` and `headroom-mock` read the same file, each the sections it
/// needs, so what is tuned in the simulator deploys unchanged and a gateway's file
/// can be simulated as it is. `Docs/configuration.md` documents every field.
///
/// ```json
/// {
///   "name": "two regions",
///   "deployments": [
///     {"id": "east", "provider": "azure", "tokensPerMinute": 150000, "models": ["gpt-4o"],
///      "endpoint": "https://east.openai.azure.com", "apiKeyEnvironment": "AZURE_EAST_KEY"}
///   ],
///   "scheduler": {"queue": "priority", "allocation": "maxHeadroom", "maxQueueWaitSeconds": 60},
///   "engine": {"defaultMaxTokens": 1024},
///   "tenants": [{"name": "ui", "keyEnvironment": "UI_KEY", "requestsPerMinute": 600}],
///   "gateway": {"port": 8080},
///   "workload": {"builtin": "azure-conv-10min"}
/// }
/// ```
public struct HeadroomConfiguration: Hashable, Sendable, Codable {
    /// A name for reports.
    public var name: String?
    /// The simulation's seed (default 1).
    public var seed: UInt64?
    /// The width of a simulation report's timeline buckets, in seconds (default 10).
    public var bucketSeconds: Double?
    /// The deployments.
    public var deployments: [DeploymentSettings]
    /// The policies and the scheduler's bounds.
    public var scheduler: SchedulerSettings?
    /// The live engine's bounds.
    public var engine: EngineSettings?
    /// The tenants: their limits, and for the gateway, which is how they come in, their keys.
    public var tenants: [TenantSettings]?
    /// The gateway's address, clients and bounds.
    public var gateway: GatewaySettings?
    /// The response cache; absent, nothing is cached.
    public var cache: CacheSettings?
    /// Limits shared with other instances through Redis; absent, this instance takes every deployment whole.
    public var sharedState: SharedStateSettings?
    /// What each model's tokens cost, for the cost in reports and `/stats`; absent, nothing is costed.
    public var prices: [PriceSettings]?
    /// A simulation's requests.
    public var workload: WorkloadSettings?
    /// The strategies a simulation compares with (default all: `naiveRetry`, `shuffleCooldown`, `tokenBucket`).
    public var baselines: [String]?

    /// Creates a configuration.
    public init(deployments: [DeploymentSettings], scheduler: SchedulerSettings? = nil, engine: EngineSettings? = nil,
                tenants: [TenantSettings]? = nil, gateway: GatewaySettings? = nil) {
        self.deployments = deployments
        self.scheduler = scheduler
        self.engine = engine
        self.tenants = tenants
        self.gateway = gateway
    }

    /// Reads a configuration file, refusing what is not JSON, a field it does not know
    /// (with the section it belongs in, if it moved), and values of the wrong type.
    ///
    /// - Throws: ``HeadroomError/Kind/invalidConfiguration`` naming the file, the field and what is wrong.
    public static func load(path: String) throws(HeadroomError) -> HeadroomConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HeadroomError(.invalidConfiguration, "Cannot read the configuration file '\(path)'. Check the path.")
        }
        do {
            return try decode(data)
        } catch {
            throw HeadroomError(.invalidConfiguration, "\(path): \(error.message)")
        }
    }

    /// Reads a configuration from a file's bytes (see ``load(path:)``).
    public static func decode(_ data: Data) throws(HeadroomError) -> HeadroomConfiguration {
        let configuration: HeadroomConfiguration
        do {
            configuration = try JSONDecoder().decode(HeadroomConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw HeadroomError(.invalidConfiguration, syntaxProblem(in: data) ?? error.problem)
        } catch {
            throw HeadroomError(.invalidConfiguration, "\(error)")
        }
        if let root = try? JSONSerialization.jsonObject(with: data), let field = unknownField(in: root, decodedAs: configuration, at: "") {
            throw HeadroomError(.invalidConfiguration, "unknown field \"\(field)\"; \(hint(for: field))")
        }
        return configuration
    }
}
