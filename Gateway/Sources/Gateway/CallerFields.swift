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
    /// `x-headroom-batch`: `true` or `false`, whether the request goes to batch.
    var batch: String?
    /// `idempotency-key`: the caller's id for the request, by which a caller who comes back gets a batch's answer.
    var requestID: String?
    /// `x-headroom-deadline`: the seconds the request may take.
    var deadline: String?

    /// The most bytes a request's namespace may have, and its request id.
    static let longestNamespace = 200, longestRequestID = 256

    /// The model alias that sends a request to batch: `gpt-4o-mini@batch`.
    static let batchSuffix = "@batch"

    /// What the request says of batch: `x-headroom-batch`, or a model named with ``batchSuffix``
    /// (`nil`: it says nothing).
    func asksBatch(model: String?) throws(HeadroomError) -> Bool? {
        switch batch?.lowercased() {
        case nil: return model?.hasSuffix(Self.batchSuffix) == true ? true : nil
        case "true": return true
        case "false": return false
        default: throw HeadroomError(.invalidJob, "x-headroom-batch must be true or false.")
        }
    }

    /// The caller's request id, checked: 1 to 256 bytes of printable ASCII.
    func checkedRequestID() throws(HeadroomError) -> String? {
        guard let requestID else { return nil }
        guard (1 ... Self.longestRequestID).contains(requestID.utf8.count), requestID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HeadroomError(.invalidJob, "idempotency-key must be 1 to \(Self.longestRequestID) printable ASCII characters without spaces.")
        }
        return requestID
    }

    /// The request's deadline, checked: more than 0 and at most a week.
    func checkedDeadline() throws(HeadroomError) -> Duration? {
        guard let deadline else { return nil }
        guard let seconds = Double(deadline), let duration = BatchRouting.deadline(seconds: seconds) else {
            throw HeadroomError(.invalidJob, "x-headroom-deadline must be a number of seconds above 0 and at most 604800 (a week).")
        }
        return duration
    }

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
