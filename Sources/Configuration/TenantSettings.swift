import HeadroomCache
import HeadroomCore

/// One tenant: a team, a service or a user whose requests the scheduler tells
/// apart. Its limits hold in every program (the simulator applies them to the
/// requests a trace gives its name); the gateway lets it in with its key, and
/// gives its requests its priority.
///
/// ```json
/// "tenants": [
///   {"name": "batch", "keyEnvironment": "BATCH_KEY", "priority": 0, "requestsPerMinute": 120},
///   {"name": "chat-ui", "keyEnvironment": "UI_KEY", "priority": 10}
/// ]
/// ```
public struct TenantSettings: Hashable, Sendable, Codable {
    /// Its name: what a trace's `tenant` field and the gateway's logs and statistics call it.
    public var name: String
    /// The gateway: the key itself (convenient for local testing; prefer `keyEnvironment`).
    public var key: String?
    /// The gateway: the environment variable that holds the key.
    public var keyEnvironment: String?
    /// The gateway: the priority of its requests (larger first, with the `priority` queue; default 0).
    public var priority: Int?
    /// Its requests a minute, if limited: past them its requests wait (see `TenantLimits`).
    public var requestsPerMinute: Int?
    /// Its estimated tokens (prompt plus output limit) a minute, if limited.
    public var tokensPerMinute: Int?
    /// Which of its answers are cached, when the configuration has a `cache` section:
    /// `repeatable`, `all` or `off` (default: the section's `mode`).
    public var cache: CacheMode?
    /// Whose cached answers it shares (default: its own name). Tenants with one namespace
    /// share answers; a request's `x-headroom-cache-namespace` narrows it further.
    public var cacheNamespace: String?
    /// Its weight under the `fair` queue policy (default 1): twice the weight, twice the tokens while both wait.
    public var weight: Double?
    /// Its budgets: spend or tokens a UTC day or month; spent, its requests are refused until the period ends.
    public var budgets: [BudgetSettings]?
    /// Whether its requests go to batch deployments (half price, answered within hours) unless one says
    /// otherwise (`x-headroom-batch: false`); default false.
    public var batch: Bool?

    /// Creates a tenant entry.
    public init(name: String, key: String? = nil, keyEnvironment: String? = nil, priority: Int? = nil,
                requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil) {
        self.name = name
        self.key = key
        self.keyEnvironment = keyEnvironment
        self.priority = priority
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }

    /// Its limits, for the scheduler.
    public var limits: TenantLimits {
        TenantLimits(requestsPerMinute: requestsPerMinute, tokensPerMinute: tokensPerMinute, weight: weight ?? 1)
    }
}
