import Foundation
import HeadroomAdapters
import HeadroomConfiguration
import HeadroomCore
import Logging

/// The gateway's view of a configuration file (see ``HeadroomConfiguration`` and
/// `Docs/configuration.md`): the deployments, `scheduler` and `engine` sections the
/// engine reads, and the `gateway` section, where to listen and the clients
/// allowed in, with its defaults applied. Keys, upstream and client alike, can come
/// from environment variables, so the file holds no secret.
///
/// ```json
/// {
///   "deployments": [
///     {"id": "east", "provider": "azure", "endpoint": "https://east.openai.azure.com",
///      "apiKeyEnvironment": "AZURE_EAST_KEY", "models": ["gpt-4o"],
///      "requestsPerMinute": 900, "tokensPerMinute": 150000}
///   ],
///   "scheduler": {"queue": "priority", "maxQueueLength": 1000, "maxQueueWaitSeconds": 30},
///   "gateway": {
///     "host": "127.0.0.1", "port": 8080,
///     "clients": [
///       {"name": "batch", "keyEnvironment": "BATCH_KEY", "priority": 0, "requestsPerMinute": 120},
///       {"name": "chat-ui", "keyEnvironment": "UI_KEY", "priority": 10}
///     ]
///   }
/// }
/// ```
public struct GatewayConfiguration: Sendable {
    /// One client allowed to use the gateway: a tenant with a key.
    public typealias Client = TenantSettings

    /// The whole configuration; the engine reads its deployments, `scheduler` and `engine` sections.
    public var engine: HeadroomConfiguration
    /// The address to listen on (default 127.0.0.1).
    public var host: String
    /// The port to listen on (default 8080; 0 picks a free one).
    public var port: Int
    /// The clients allowed in: the configuration's tenants, at least one.
    public var clients: [Client] {
        get { engine.tenants ?? [] }
        set { engine.tenants = newValue }
    }
    /// The Retry-After sent with a 429 when the scheduler gives no estimate of when room returns (default 1 s).
    public var retryAfterSeconds: Int
    /// A connection with no request under way for this long, or one whose request head or body
    /// stalls for this long, is closed (default 30 s): idle and trickling clients cannot hold
    /// connections for ever. An answer being written is never cut off.
    public var idleTimeoutSeconds: Double
    /// The environment variable that holds the operator's key. When set, `/stats`, `/metrics` and
    /// `/admin/...` need `Authorization: Bearer` that key; without it `/admin/...` is refused.
    public var operatorKeyEnvironment: String?
    /// The most connections open at once (default 4,096); past it new connections wait in the
    /// listen queue. The gateway raises its descriptor limit to fit, or lowers this to fit it.
    public var maxConnections: Int
    /// The largest request body accepted (default 16 MiB); a larger one gets 413.
    public var maxRequestBytes: Int
    /// The most bytes of request bodies read at once, all connections together (default 256 MiB);
    /// a request that would go past it gets 503 with a Retry-After, so memory stays bounded.
    public var maxBufferedRequestBytes: Int
    /// Client header fields sent upstream with the request (default none): names, or prefixes
    /// ending in `*` (`openai-beta`, `x-my-trace-*`). Keys and the fields HTTP manages never pass.
    public var forwardedRequestHeaders: [String]
    /// The upstream's header fields passed back to the client (default `x-request-id` and
    /// `openai-processing-ms`), as names or prefixes (`x-ratelimit-*` passes the rate-limit fields).
    public var returnedResponseHeaders: [String]
    /// What the gateway logs: `trace`, `debug`, `info` (default: a line a request), `notice`,
    /// `warning` (deployments leaving rotation), `error` or `critical`.
    public var logLevel: String
    /// Whether a request whose `x-headroom-deadline` leaves a batch deployment's expected turnaround goes to batch.
    public var batchByDeadline: Bool
    /// Where tenants' budget use is kept across restarts when no `sharedState` Redis keeps it.
    public var budgetFile: String

    /// The gateway a configuration describes: its `gateway` section, each field left out at its default.
    public init(_ configuration: HeadroomConfiguration) {
        let gateway = configuration.gateway ?? GatewaySettings()
        engine = configuration
        host = gateway.host ?? "127.0.0.1"
        port = gateway.port ?? 8080
        retryAfterSeconds = gateway.retryAfterSeconds ?? 1
        idleTimeoutSeconds = gateway.idleTimeoutSeconds ?? 30
        operatorKeyEnvironment = gateway.operatorKeyEnvironment
        maxConnections = gateway.maxConnections ?? Self.defaultMaxConnections
        maxRequestBytes = gateway.maxRequestBytes ?? Self.defaultMaxRequestBytes
        maxBufferedRequestBytes = gateway.maxBufferedRequestBytes ?? Self.defaultMaxBufferedRequestBytes
        forwardedRequestHeaders = gateway.forwardedRequestHeaders ?? []
        returnedResponseHeaders = gateway.returnedResponseHeaders ?? Self.defaultReturnedResponseHeaders
        logLevel = gateway.logLevel ?? "info"
        batchByDeadline = gateway.batchByDeadline ?? false
        budgetFile = gateway.budgetFile ?? "headroom-budgets.json"
    }

    /// Creates a configuration in code.
    public init(engine: HeadroomConfiguration, host: String = "127.0.0.1", port: Int = 8080, clients: [Client], retryAfterSeconds: Int = 1) {
        self.init(engine)
        self.host = host
        self.port = port
        self.clients = clients
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// `x-request-id` and `openai-processing-ms`.
    public static let defaultReturnedResponseHeaders = ["x-request-id", "openai-processing-ms"]

    /// 4,096 connections.
    public static let defaultMaxConnections = 4_096
    /// 16 MiB.
    public static let defaultMaxRequestBytes = 16 << 20
    /// 256 MiB.
    public static let defaultMaxBufferedRequestBytes = 256 << 20

    /// ``logLevel`` as swift-log's level.
    func level() throws(HeadroomError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: logLevel) else {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw HeadroomError(.invalidConfiguration, "logLevel is '\(logLevel)'; use one of \(levels).")
        }
        return level
    }

    /// Reads a configuration file (see ``HeadroomConfiguration/load(path:)``).
    public static func load(path: String) throws(HeadroomError) -> GatewayConfiguration {
        GatewayConfiguration(try HeadroomConfiguration.load(path: path))
    }

    /// Checks what decoding cannot: ports, bounds, and that each client has one key.
    func validate() throws(HeadroomError) {
        guard (0 ... 65_535).contains(port) else {
            throw HeadroomError(.invalidConfiguration, "port is \(port); use 1 to 65535, or 0 for any free port.")
        }
        guard !clients.isEmpty else {
            throw HeadroomError(.invalidConfiguration, "\"tenants\" is empty; add at least one tenant with a key, the gateway does not run open.")
        }
        guard idleTimeoutSeconds > 0 && idleTimeoutSeconds <= 86_400 else {
            throw HeadroomError(.invalidConfiguration, "idleTimeoutSeconds is \(idleTimeoutSeconds); it must be above 0 and at most 86,400 (a day).")
        }
        guard (0 ... 86_400).contains(retryAfterSeconds) else {
            throw HeadroomError(.invalidConfiguration, "retryAfterSeconds is \(retryAfterSeconds); it must be from 0 to 86,400 (a day).")
        }
        guard (1 ... 1_000_000).contains(maxConnections) else {
            throw HeadroomError(.invalidConfiguration, "maxConnections is \(maxConnections); it must be from 1 to 1,000,000.")
        }
        guard (1_024 ... 1 << 30).contains(maxRequestBytes) else {
            throw HeadroomError(.invalidConfiguration, "maxRequestBytes is \(maxRequestBytes); it must be from 1,024 to 1,073,741,824 (1 GiB).")
        }
        guard (maxRequestBytes ... 1 << 40).contains(maxBufferedRequestBytes) else {
            throw HeadroomError(.invalidConfiguration,
                                "maxBufferedRequestBytes is \(maxBufferedRequestBytes); it must be at least maxRequestBytes (\(maxRequestBytes)) and at most 1 TiB.")
        }
        _ = try level()
        _ = try HeaderAllowList(forwardedRequestHeaders, field: "forwardedRequestHeaders")
        _ = try HeaderAllowList(returnedResponseHeaders, field: "returnedResponseHeaders")
        var names: Set<String> = []
        for client in clients {
            guard names.insert(client.name).inserted else {
                throw HeadroomError(.invalidConfiguration, "Two tenants are named '\(client.name)'; give each its own name.")
            }
            guard (client.key == nil) != (client.keyEnvironment == nil) else {
                throw HeadroomError(.invalidConfiguration,
                                    "Tenant '\(client.name)': give exactly one of \"key\" and \"keyEnvironment\"; the gateway lets a tenant in by its key.")
            }
        }
    }
}
