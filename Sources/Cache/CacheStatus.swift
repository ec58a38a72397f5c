/// Where an answer came from, as the `x-headroom-cache` field says it.
public enum CacheStatus: String, Hashable, Sendable {
    /// From the store, or from an identical request in flight: nothing went upstream for it.
    case hit
    /// From upstream; stored if it may be.
    case miss
    /// From upstream, the cache not applying (the client's mode, `no-store`, a body it cannot key).
    case bypass
}
