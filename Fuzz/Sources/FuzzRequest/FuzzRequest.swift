import Foundation
import HeadroomAdapters

/// A client's body, as the gateway reads it: nesting bounded first, then decoded as a
/// chat or an embedding request and encoded again for the provider, as the engine does.
func fuzzRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let body = Data(bytes: data, count: size)
    guard !JSONNesting.exceeds(JSONNesting.deepestAllowed, in: body) else { return 0 }
    if let chat = try? JSONDecoder().decode(ChatCompletionRequest.self, from: body) {
        _ = try? JSONEncoder().encode(chat)
        _ = chat.outputLimit
        _ = chat.messages.reduce(0) { $0 + $1.text.count }
    }
    if let embedding = try? JSONDecoder().decode(EmbeddingRequest.self, from: body) {
        _ = try? JSONEncoder().encode(embedding)
        _ = embedding.texts.count
    }
    return 0
}
