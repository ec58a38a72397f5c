/// The `gateway` section of a configuration: where `headroom-gateway` listens,
/// the clients it lets in, and its bounds. Every field but `clients` has a
/// default (see `Docs/configuration.md`).
///
/// ```json
/// "gateway": {"port": 8080, "clients": [{"name": "chat-ui", "keyEnvironment": "UI_KEY", "priority": 10}]}
/// ```
public struct GatewaySettings: Hashable, Sendable, Codable {
    /// The address to listen on (default 127.0.0.1).
    public var host: String?
    /// The port to listen on (default 8080; 0 picks a free one).
    public var port: Int?
    /// The clients allowed in; at least one.
    public var clients: [ClientSettings]?
    /// The Retry-After sent with a 429 when the scheduler gives no estimate of when room returns (default 1 s).
    public var retryAfterSeconds: Int?
    /// A connection idle, or trickling its request, for this long is closed (default 30 s).
    public var idleTimeoutSeconds: Double?
    /// The environment variable that holds the operator's key for `/stats`, `/metrics` and `/admin/...`.
    public var operatorKeyEnvironment: String?
    /// The most connections open at once (default 4,096).
    public var maxConnections: Int?
    /// The largest request body accepted (default 16 MiB).
    public var maxRequestBytes: Int?
    /// The most bytes of request bodies read at once, all connections together (default 256 MiB).
    public var maxBufferedRequestBytes: Int?
    /// Client header fields sent upstream (default none): names, or prefixes ending in `*`.
    public var forwardedRequestHeaders: [String]?
    /// Upstream header fields passed back (default `x-request-id` and `openai-processing-ms`).
    public var returnedResponseHeaders: [String]?
    /// What the gateway logs: `trace`, `debug`, `info` (default), `notice`, `warning`, `error` or `critical`.
    public var logLevel: String?

    /// Settings with these clients, everything else at its default.
    public init(clients: [ClientSettings]? = nil) {
        self.clients = clients
    }
}

/// One client allowed to use the gateway.
public struct ClientSettings: Hashable, Sendable, Codable {
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
