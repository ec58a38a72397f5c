import Foundation
import HeadroomAdapters
import HeadroomCore
import Logging

/// The gateway's configuration file: the live engine's fields (deployments,
/// policies, queue bounds; see ``EngineConfiguration``), where to listen, and
/// the clients allowed in. Keys, upstream and client alike, can come from
/// environment variables, so the file holds no secret.
///
/// ```json
/// {
///   "host": "127.0.0.1", "port": 8080,
///   "deployments": [
///     {"id": "east", "provider": "azure", "endpoint": "https://east.openai.azure.com",
///      "apiKeyEnvironment": "AZURE_EAST_KEY", "models": ["gpt-4o"],
///      "requestsPerMinute": 900, "tokensPerMinute": 150000}
///   ],
///   "queue": "priority", "maxQueueLength": 1000, "maxQueueWaitSeconds": 30,
///   "clients": [
///     {"name": "batch", "keyEnvironment": "BATCH_KEY", "priority": 0, "requestsPerMinute": 120},
///     {"name": "chat-ui", "keyEnvironment": "UI_KEY", "priority": 10}
///   ]
/// }
/// ```
public struct GatewayConfiguration: Sendable, Decodable {
    /// One client allowed to use the gateway.
    public struct Client: Sendable, Codable {
        /// A name for statistics and logs.
        public var name: String
        /// The key itself (convenient for local testing; prefer `keyEnvironment`).
        public var key: String?
        /// The environment variable that holds the key.
        public var keyEnvironment: String?
        /// The priority of this client's requests (larger first, with the `priority` queue).
        public var priority: Int?
        /// This client's requests a minute, if limited.
        public var requestsPerMinute: Int?
        /// This client's estimated tokens a minute (prompt + output limit), if limited.
        public var tokensPerMinute: Int?

        /// Creates a client entry.
        public init(name: String, key: String? = nil, keyEnvironment: String? = nil, priority: Int? = nil,
                    requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil) {
            self.name = name
            self.key = key
            self.keyEnvironment = keyEnvironment
            self.priority = priority
            self.requestsPerMinute = requestsPerMinute
            self.tokensPerMinute = tokensPerMinute
        }
    }

    /// The engine: deployments, policies and bounds.
    public var engine: EngineConfiguration
    /// The address to listen on (default 127.0.0.1).
    public var host: String
    /// The port to listen on (default 8080; 0 picks a free one).
    public var port: Int
    /// The clients allowed in; at least one.
    public var clients: [Client]
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

    /// Creates a configuration.
    public init(engine: EngineConfiguration, host: String = "127.0.0.1", port: Int = 8080, clients: [Client], retryAfterSeconds: Int = 1) {
        self.engine = engine
        self.host = host
        self.port = port
        self.clients = clients
        self.retryAfterSeconds = retryAfterSeconds
        idleTimeoutSeconds = 30
        maxConnections = Self.defaultMaxConnections
        maxRequestBytes = Self.defaultMaxRequestBytes
        maxBufferedRequestBytes = Self.defaultMaxBufferedRequestBytes
        forwardedRequestHeaders = []
        returnedResponseHeaders = Self.defaultReturnedResponseHeaders
        logLevel = "info"
    }

    /// `x-request-id` and `openai-processing-ms`.
    public static let defaultReturnedResponseHeaders = ["x-request-id", "openai-processing-ms"]

    /// 4,096 connections.
    public static let defaultMaxConnections = 4_096
    /// 16 MiB.
    public static let defaultMaxRequestBytes = 16 << 20
    /// 256 MiB.
    public static let defaultMaxBufferedRequestBytes = 256 << 20

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, clients, retryAfterSeconds, operatorKeyEnvironment, idleTimeoutSeconds
        case maxConnections, maxRequestBytes, maxBufferedRequestBytes, forwardedRequestHeaders, returnedResponseHeaders, logLevel
    }

    public init(from decoder: any Decoder) throws {
        let known = EngineConfiguration.fieldNames.union(CodingKeys.allCases.map(\.rawValue))
        let everything = try decoder.container(keyedBy: FieldName.self)
        if let unknown = everything.allKeys.map(\.stringValue).filter({ !known.contains($0) }).sorted().first {
            throw HeadroomError(.invalidConfiguration, "unknown field \"\(unknown)\"; the fields are \(known.sorted().joined(separator: ", ")).")
        }
        engine = try EngineConfiguration(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        host = try container.decodeIfPresent(String.self, forKey: .host) ?? "127.0.0.1"
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? 8080
        clients = try container.decodeIfPresent([Client].self, forKey: .clients) ?? []
        retryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds) ?? 1
        operatorKeyEnvironment = try container.decodeIfPresent(String.self, forKey: .operatorKeyEnvironment)
        idleTimeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .idleTimeoutSeconds) ?? 30
        maxConnections = try container.decodeIfPresent(Int.self, forKey: .maxConnections) ?? Self.defaultMaxConnections
        maxRequestBytes = try container.decodeIfPresent(Int.self, forKey: .maxRequestBytes) ?? Self.defaultMaxRequestBytes
        maxBufferedRequestBytes = try container.decodeIfPresent(Int.self, forKey: .maxBufferedRequestBytes) ?? Self.defaultMaxBufferedRequestBytes
        forwardedRequestHeaders = try container.decodeIfPresent([String].self, forKey: .forwardedRequestHeaders) ?? []
        returnedResponseHeaders = try container.decodeIfPresent([String].self, forKey: .returnedResponseHeaders) ?? Self.defaultReturnedResponseHeaders
        logLevel = try container.decodeIfPresent(String.self, forKey: .logLevel) ?? "info"
    }

    /// ``logLevel`` as swift-log's level.
    func level() throws(HeadroomError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: logLevel) else {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw HeadroomError(.invalidConfiguration, "logLevel is '\(logLevel)'; use one of \(levels).")
        }
        return level
    }

    /// Reads a configuration file.
    public static func load(path: String) throws(HeadroomError) -> GatewayConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HeadroomError(.invalidConfiguration, "Cannot read the gateway configuration '\(path)'. Check the path.")
        }
        do {
            return try JSONDecoder().decode(GatewayConfiguration.self, from: data)
        } catch let error as HeadroomError {
            throw HeadroomError(.invalidConfiguration, "\(path): \(error.message)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw HeadroomError(.invalidConfiguration, "\(path): \(Self.place(context.codingPath))the field \"\(key.stringValue)\" is missing.")
        } catch let DecodingError.typeMismatch(type, context) {
            throw HeadroomError(.invalidConfiguration, "\(path): \(Self.place(context.codingPath))expected \(type).")
        } catch {
            throw HeadroomError(.invalidConfiguration, "\(path) is not a valid gateway configuration: \(error).")
        }
    }

    /// Checks what decoding cannot: ports, clients and their keys.
    func validate() throws(HeadroomError) {
        guard (0 ... 65_535).contains(port) else {
            throw HeadroomError(.invalidConfiguration, "port is \(port); use 1 to 65535, or 0 for any free port.")
        }
        guard !clients.isEmpty else {
            throw HeadroomError(.invalidConfiguration, "\"clients\" is empty; add at least one client with a key, the gateway does not run open.")
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
                throw HeadroomError(.invalidConfiguration, "Two clients are named '\(client.name)'; give each its own name.")
            }
            guard (client.key == nil) != (client.keyEnvironment == nil) else {
                throw HeadroomError(.invalidConfiguration, "Client '\(client.name)': give exactly one of \"key\" and \"keyEnvironment\".")
            }
            for (field, value) in [("requestsPerMinute", client.requestsPerMinute), ("tokensPerMinute", client.tokensPerMinute)] {
                if let value, value <= 0 {
                    throw HeadroomError(.invalidConfiguration, "Client '\(client.name)': \(field) is \(value); it must be at least 1, or left out.")
                }
            }
        }
    }

    private static func place(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "" : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." } + ": "
    }

    private struct FieldName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
