import Foundation
import HeadroomCore

/// A chat completion as the provider returned it, with the parts most callers want.
public struct ChatCompletion: Hashable, Sendable {
    /// The whole response.
    public var json: JSONValue

    /// The first choice's message content.
    public var content: String? { JSONValue.firstChoiceContent(in: json, under: "message") }

    /// The usage the provider reported.
    public var usage: Usage? { JSONValue.usage(in: json) }
}

/// One chunk of a streamed chat completion.
public struct ChatCompletionChunk: Hashable, Sendable {
    /// The chunk as sent.
    public var json: JSONValue

    /// The first choice's content delta.
    public var delta: String? { JSONValue.firstChoiceContent(in: json, under: "delta") }

    /// The usage, in the last chunk when `stream_options.include_usage` is set.
    public var usage: Usage? { JSONValue.usage(in: json) }
}

/// An embeddings response.
public struct EmbeddingResponse: Hashable, Sendable {
    /// The whole response.
    public var json: JSONValue

    /// The vectors, in input order.
    public var vectors: [[Double]] {
        guard case .object(let top) = json, case .array(let data)? = top["data"] else { return [] }
        return data.compactMap { item in
            guard case .object(let fields) = item, case .array(let numbers)? = fields["embedding"] else { return nil }
            return numbers.compactMap { value in
                switch value {
                case .number(let number): number
                case .integer(let number): Double(number)
                default: nil
                }
            }
        }
    }

    /// The usage the provider reported.
    public var usage: Usage? { JSONValue.usage(in: json) }
}

extension JSONValue {
    /// Decodes a provider's answer as JSON, its nesting bounded first (see ``JSONNesting``).
    static func parse(_ bytes: [UInt8]) throws(HeadroomError) -> JSONValue {
        guard !JSONNesting.exceeds(JSONNesting.deepestAllowed, in: bytes) else {
            throw HeadroomError(.brokenAnswer, "The provider's answer (\(bytes.count) bytes) nests deeper than \(JSONNesting.deepestAllowed).")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            // Not the body itself: an answer may echo what it should not.
            throw HeadroomError(.brokenAnswer, "The provider's answer (\(bytes.count) bytes) is not JSON.")
        }
    }

    /// `choices[0][field].content`, if it is a string.
    static func firstChoiceContent(in json: JSONValue, under field: String) -> String? {
        guard case .object(let top) = json, case .array(let choices)? = top["choices"], case .object(let choice)? = choices.first,
              case .object(let inner)? = choice[field], case .string(let content)? = inner["content"] else { return nil }
        return content
    }

    static func usage(in json: JSONValue) -> Usage? {
        guard case .object(let top) = json, case .object(let usage)? = top["usage"] else { return nil }
        func count(_ key: String) -> Int {
            if case .integer(let value)? = usage[key] { return value }
            return 0
        }
        return Usage(promptTokens: count("prompt_tokens"), completionTokens: count("completion_tokens"))
    }
}
