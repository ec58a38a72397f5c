import HeadroomAdapters
import HeadroomCore

/// What identifies an answer in a cache: the SHA-256 of a namespace, the
/// operation and the request's body in canonical form.
///
/// The canonical body is every member of the body, at every depth, with object
/// members sorted by name, no whitespace, strings unescaped and written one way,
/// and numbers without a fraction written as integers: key order, spacing and
/// `1.0` against `1` do not matter; any other difference does. So a change to the
/// model, the messages, `tools`, `tool_choice`, `response_format`, `temperature`,
/// `top_p`, `seed`, `n`, `max_tokens`, `stop`, `stream` or any member a provider
/// adds later gives another key. Left out are only the members that never change
/// the answer (``ignoredMembers``). A body that sets no output limit is keyed with
/// the engine's default, which is what goes upstream. The header fields sent along
/// with the request (``APIRequest/headers``: a provider's beta flags, say) count too,
/// by name without regard to case and in any order.
///
/// ```swift
/// let request = try APIRequest(.chatCompletions, bytes: body)
/// let key = CacheKey(request, namespace: "team-a", defaultMaxTokens: 1_024)  // nil: a body that names a member twice
/// ```
public struct CacheKey: Hashable, Sendable, CustomStringConvertible {
    /// Top-level members that say who asked or how to keep the record, never what to answer:
    /// `user` (OpenAI's end-user id), `metadata` (tags; Anthropic's user id) and `store` (OpenAI's stored completions).
    public static let ignoredMembers: Set<String> = ["user", "metadata", "store"]

    /// The hash.
    public let digest: SHA256.Digest

    /// The key of `request` in `namespace`, or `nil` when the body names a member twice
    /// (a provider may read such a body otherwise than Headroom does: it is not cached).
    public init?(_ request: APIRequest, namespace: String, defaultMaxTokens: Int) {
        guard !request.repeatsMemberName else { return nil }
        var fields = request.fields
        for name in Self.ignoredMembers { fields[name] = nil }
        if request.operation != .embeddings, request.outputLimit == nil {
            fields["max_tokens"] = .integer(defaultMaxTokens)
        }
        var hash = SHA256()
        // Each part ends with a byte that no UTF-8 text contains, so parts cannot run into each other.
        hash.update(Array("headroom-cache-1".utf8) + [0xFF])
        hash.update(Array(namespace.utf8) + [0xFF])
        hash.update(Array(request.operation.rawValue.utf8) + [0xFF])
        hash.update(JSONValue.object(fields).canonicalBytes)
        for field in request.headers.map({ ($0.name.lowercased(), $0.value) }).sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            hash.update([0xFF] + Array(field.0.utf8) + [0xFE] + Array(field.1.utf8))
        }
        digest = hash.finalize()
    }

    /// A key from a digest (a store's own records).
    public init(digest: SHA256.Digest) {
        self.digest = digest
    }

    /// The digest in hexadecimal.
    public var description: String { digest.hex }
}
