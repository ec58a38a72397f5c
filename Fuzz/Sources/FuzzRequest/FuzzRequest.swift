import Foundation
import HeadroomAdapters
import HeadroomCache
import HeadroomCore

/// A client's body, as the gateway reads it: parsed once as a chat, an embedding or
/// an Anthropic message request, its output limit set as the engine sets it. Traps (so the fuzzer reports it)
/// when a body read once does not read back the same after it is written out again, or
/// when the edited body does not read back with the limit set, or when its canonical form
/// keys differently from it. The bytes are also read as a cache record (from disk or Redis):
/// one that reads must read back the same once written again.
func fuzzRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Anthropic's stream events, as its adapter reads them.
    var usage: Usage?
    _ = try? AnthropicAdapter(apiKey: APIKey("k")).read(streamEvent: bytes, usage: &usage)
    for operation in [ProviderOperation.chatCompletions, .embeddings, .messages] {
        guard var request = try? APIRequest(operation, bytes: bytes) else { continue }
        _ = (request.model, request.isStreaming, request.outputLimit, request.choices, request.messages.count, request.texts.count)
        let written = JSONValue.object(request.fields).jsonBytes
        precondition((try? APIRequest(operation, bytes: written))?.fields == request.fields, "a body does not read back as written")
        precondition((try? request.set("max_tokens", to: .integer(1_024))) != nil, "a body read once cannot be edited")
        precondition((try? APIRequest(operation, bytes: request.bytes))?.fields["max_tokens"] == .integer(1_024), "an edited body lost its edit")
        if let key = CacheKey(request, namespace: "n", defaultMaxTokens: 100) {
            let canonical = try? APIRequest(operation, bytes: JSONValue.object(request.fields).canonicalBytes)
            precondition(canonical.flatMap { CacheKey($0, namespace: "n", defaultMaxTokens: 100) } == key, "a canonical body keys differently")
        }
    }
    if let (entry, expiresAt) = CacheEntry.decode(bytes) {
        let again = CacheEntry.decode(entry.encoded(expiresAt: expiresAt))
        precondition(again?.entry == entry, "a cache record does not read back as written")
    }
    return 0
}
