import Foundation
import HeadroomCore
import HeadroomServerSupport

/// The bodies and headers the mock answers Anthropic's Messages API with, shaped
/// as Anthropic shapes its own.
extension MockReplies {
    struct AnthropicUsage: Encodable {
        var inputTokens: Int?
        var outputTokens: Int
    }

    struct ContentBlock: Encodable {
        var type = "text"
        var text: String
    }

    struct AnthropicMessage: Encodable {
        var id: String
        var type = "message"
        var role = "assistant"
        var model: String
        var content: [ContentBlock]
        var stopReason: String?
        var usage: AnthropicUsage
    }

    /// A whole message.
    static func message(id: String, model: String, promptTokens: Int, completionTokens: Int, maxTokens: Int) -> [UInt8] {
        JSONReply.encode(AnthropicMessage(
            id: id, model: model, content: [ContentBlock(text: text(tokens: completionTokens).joined())],
            stopReason: completionTokens < maxTokens ? "end_turn" : "max_tokens",
            usage: AnthropicUsage(inputTokens: promptTokens, outputTokens: completionTokens)
        ))
    }

    /// One event of a streamed message: its `event:` name and its data.
    static func event(_ name: String, _ data: some Encodable) -> String {
        "event: \(name)\ndata: " + String(decoding: JSONReply.encode(data), as: UTF8.self) + "\n\n"
    }

    struct MessageStart: Encodable {
        var type = "message_start"
        var message: AnthropicMessage
    }

    struct TextDelta: Encodable {
        struct Delta: Encodable {
            var type = "text_delta"
            var text: String
        }
        var type = "content_block_delta"
        var index = 0
        var delta: Delta
    }

    struct MessageDelta: Encodable {
        struct Delta: Encodable {
            var stopReason: String
        }
        var type = "message_delta"
        var delta: Delta
        var usage: AnthropicUsage
    }

    struct Typed: Encodable {
        var type: String
        var index: Int?
        var contentBlock: ContentBlock?
    }

    /// The events of a streamed message: the start (with the prompt's tokens), each word, the end (with the output's).
    static func messageEvents(id: String, model: String, promptTokens: Int, completionTokens: Int, maxTokens: Int)
        -> (start: String, words: [String], end: String) {
        let start = event("message_start", MessageStart(message: AnthropicMessage(
            id: id, model: model, content: [], usage: AnthropicUsage(inputTokens: promptTokens, outputTokens: 1))))
            + event("content_block_start", Typed(type: "content_block_start", index: 0, contentBlock: ContentBlock(text: "")))
        let words = text(tokens: completionTokens).map { event("content_block_delta", TextDelta(delta: .init(text: $0))) }
        let stop = completionTokens < maxTokens ? "end_turn" : "max_tokens"
        let end = event("content_block_stop", Typed(type: "content_block_stop", index: 0))
            + event("message_delta", MessageDelta(delta: .init(stopReason: stop), usage: AnthropicUsage(outputTokens: completionTokens)))
            + event("message_stop", Typed(type: "message_stop"))
        return (start, words, end)
    }

    /// Anthropic's rate-limit headers: each budget's limit, what is left, and when it is full again (an RFC 3339 instant).
    static func anthropicRateLimitHeaders(_ observation: RateLimitObservation?, now: Date = Date()) -> [(String, String)] {
        guard let observation else { return [] }
        var headers: [(String, String)] = []
        func add(_ name: String, _ budget: RateLimitObservation.Budget?) {
            guard let budget else { return }
            if let limit = budget.limit { headers.append(("anthropic-ratelimit-\(name)-limit", "\(limit)")) }
            headers.append(("anthropic-ratelimit-\(name)-remaining", "\(budget.remaining)"))
            if let reset = budget.resetIn {
                let instant = now.addingTimeInterval(Double(reset.nanoseconds) / 1e9)
                headers.append(("anthropic-ratelimit-\(name)-reset", instant.formatted(.iso8601)))
            }
        }
        add("requests", observation.requests)
        add("input-tokens", observation.tokens)
        add("output-tokens", observation.outputTokens)
        return headers
    }
}
