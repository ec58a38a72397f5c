/// The `gateway` section of a configuration: where `headroom-gateway` listens,
/// and its bounds; every field has a default (see `Docs/configuration.md`). The
/// clients it lets in are the configuration's ``HeadroomConfiguration/tenants``.
///
/// ```json
/// "gateway": {"port": 8080, "maxConnections": 1024}
/// ```
public struct GatewaySettings: Hashable, Sendable, Codable {
    /// The address to listen on (default 127.0.0.1).
    public var host: String?
    /// The port to listen on (default 8080; 0 picks a free one).
    public var port: Int?
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
    /// Whether a request whose `x-headroom-deadline` leaves a batch deployment's expected turnaround goes
    /// to batch (default false).
    public var batchByDeadline: Bool?
    /// Where the gateway keeps what tenants have used of their budgets across restarts, when no
    /// `sharedState` Redis keeps it (default `headroom-budgets.json` in the working folder).
    public var budgetFile: String?
    /// What the gateway logs: `trace`, `debug`, `info` (default), `notice`, `warning`, `error` or `critical`.
    public var logLevel: String?

    /// Settings that leave everything at its default.
    public init() {}
}
