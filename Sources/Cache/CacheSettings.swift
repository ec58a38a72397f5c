/// How long answers are kept, and how large one may be.
public struct CacheSettings: Hashable, Sendable {
    /// How long a stored answer is served (default one hour).
    public var timeToLive: Duration
    /// The largest answer stored, in bytes (default 4 MiB); larger ones go upstream every time.
    public var maxEntryBytes: Int

    /// Settings; each left out takes its default.
    public init(timeToLive: Duration = .seconds(3_600), maxEntryBytes: Int = 4 << 20) {
        self.timeToLive = timeToLive
        self.maxEntryBytes = maxEntryBytes
    }
}

/// How one request meets the cache: its client's mode and namespace, and what it asked.
public struct CacheRequestOptions: Hashable, Sendable {
    /// Which answers of the client are cached.
    public var mode: CacheMode
    /// Whose entries the request reads and writes: requests in different namespaces never share an answer.
    public var namespace: String
    /// What the request's `Cache-Control` asked.
    public var directives: CacheDirectives

    /// Options for a request.
    public init(mode: CacheMode = .repeatable, namespace: String = "", directives: CacheDirectives = CacheDirectives()) {
        self.mode = mode
        self.namespace = namespace
        self.directives = directives
    }
}

/// Where an answer came from, as the `x-headroom-cache` field says it.
public enum CacheStatus: String, Hashable, Sendable {
    /// From the store, or from an identical request in flight: nothing went upstream for it.
    case hit
    /// From upstream; stored if it may be.
    case miss
    /// From upstream, the cache not applying (the client's mode, `no-store`, a body it cannot key).
    case bypass
}
