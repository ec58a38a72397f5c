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
