import HeadroomCache
import HeadroomCore

/// What a request's header fields tell the gateway: those to send upstream
/// (the allow-listed ones), and what it asks of the cache.
struct CallerFields: Sendable {
    /// The fields sent upstream with the request.
    var forwarded: [HTTPField]
    /// `Cache-Control`.
    var cacheControl: String?
    /// `x-headroom-cache-namespace`: a namespace within the client's own.
    var cacheNamespace: String?

    /// The most bytes a request's namespace may have.
    static let longestNamespace = 200

    /// How the request meets the cache: the client's mode, its namespace narrowed by the request's, the directives.
    func cacheOptions(for client: ClientRegistry.Client) throws(HeadroomError) -> CacheRequestOptions {
        var namespace = client.cacheNamespace
        if let cacheNamespace {
            guard !cacheNamespace.isEmpty, cacheNamespace.utf8.count <= Self.longestNamespace,
                  cacheNamespace.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw HeadroomError(.invalidJob, "x-headroom-cache-namespace must be 1 to \(Self.longestNamespace) bytes of printable text.")
            }
            // A client narrows its own namespace, never reaches another's.
            namespace += "/" + cacheNamespace
        }
        return CacheRequestOptions(mode: client.cacheMode, namespace: namespace, directives: CacheDirectives(cacheControl: cacheControl))
    }
}
