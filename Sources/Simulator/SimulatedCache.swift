import HeadroomCache
import HeadroomConfiguration
import HeadroomCore

/// The response cache as a simulation plays it: the gateway's cache in front of the
/// client, from the same `cache` section. A request whose ``SimulatedRequest/cacheKey``
/// was answered within the time to live is a hit and never reaches the client (it
/// costs no quota); one that arrives while an identical request is upstream waits for
/// that request's answer; the rest go upstream and their answers are kept, the least
/// recently used dropped first once the store's bound is reached.
///
/// ```swift
/// var simulation = try Simulation(deployments: deployments, seed: 1)
/// simulation.cache = SimulatedCache(maxBytes: 64 << 20, mode: .all)
/// let report = try simulation.run(&workload, strategy: .headroom())
/// report.cache?.hitRate
/// ```
///
/// A trace does not carry answers, so an answer's size in the store is estimated by
/// ``entryBytes(outputTokens:)``. Answers are served at once (a hit takes milliseconds
/// live, against seconds for a model's answer).
public struct SimulatedCache: Hashable, Sendable {
    /// One tenant's part: which of its answers are cached, and whose cached answers it shares.
    public struct Tenant: Hashable, Sendable {
        /// Which of its answers are cached.
        public var mode: CacheMode
        /// Tenants with one namespace share answers.
        public var namespace: String

        /// A tenant's settings.
        public init(mode: CacheMode, namespace: String) {
            self.mode = mode
            self.namespace = namespace
        }
    }

    /// The most the store holds, in bytes.
    public var maxBytes: Int
    /// How long answers are served, and the largest kept.
    public var limits: CacheLimits
    /// Which answers are cached for a request whose tenant is not in ``tenants``.
    public var mode: CacheMode
    /// Tenants' own settings, by name. A tenant not named here caches in ``mode``, in a
    /// namespace of its own name; requests without a tenant share one namespace.
    public var tenants: [String: Tenant]

    /// A cache of `maxBytes` (256 MiB by default), keeping answers `limits` allows, in `mode`.
    public init(maxBytes: Int = 256 << 20, limits: CacheLimits = CacheLimits(), mode: CacheMode = .repeatable, tenants: [String: Tenant] = [:]) {
        self.maxBytes = maxBytes
        self.limits = limits
        self.mode = mode
        self.tenants = tenants
    }

    /// The cache a configuration describes: its `cache` section with its tenants' modes and
    /// namespaces, as the gateway reads them; `nil` with no `cache` section.
    public init?(_ configuration: HeadroomConfiguration) throws(HeadroomError) {
        guard let settings = configuration.cache else { return nil }
        var tenants: [String: Tenant] = [:]
        let mode = settings.mode ?? .repeatable
        for tenant in configuration.tenants ?? [] {
            tenants[tenant.name] = Tenant(mode: tenant.cache ?? mode, namespace: tenant.cacheNamespace ?? tenant.name)
        }
        self.init(maxBytes: try settings.storeBytes(), limits: try settings.limits(), mode: mode, tenants: tenants)
    }

    /// What a stored answer of `outputTokens` is counted as: a chat completion's JSON (an
    /// envelope of about 640 bytes and 4 bytes a token of text) and the store's bookkeeping.
    public static func entryBytes(outputTokens: Int) -> Int {
        max(0, outputTokens).multipliedReportingOverflow(by: 4).partialValue.addingReportingOverflow(800).partialValue
    }

    /// The namespace and mode of `tenant`'s requests.
    func tenant(_ name: String?) -> Tenant {
        guard let name else { return Tenant(mode: mode, namespace: "") }
        return tenants[name] ?? Tenant(mode: mode, namespace: name)
    }
}
