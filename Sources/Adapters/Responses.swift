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
    /// Reads a provider's answer (or one event of its stream) as JSON, nesting bounded at 64.
    /// Throws ``HeadroomError/Kind/brokenAnswer``, never echoing the text, when it is not JSON.
    public init(parsing bytes: [UInt8]) throws(HeadroomError) {
        do {
            self = try JSONParser.parse(bytes)
        } catch .tooDeep {
            throw HeadroomError(.brokenAnswer, "The provider's answer (\(bytes.count) bytes) nests deeper than \(JSONParser.deepestAllowed).")
        } catch {
            // Not the body itself: an answer may echo what it should not.
            throw HeadroomError(.brokenAnswer, "The provider's answer (\(bytes.count) bytes) is not JSON.")
        }
    }

    /// The usage reported in the JSON object `bytes` hold, if any: its other members are
    /// checked against the grammar and skipped, so a chunk without usage costs one scan.
    static func usage(inObject bytes: [UInt8]) throws(JSONParser.Failure) -> Usage? {
        var usage: Usage?
        for member in try JSONParser.members(of: bytes) where member.name == "usage" {
            usage = Usage(json: try JSONParser.parse(Array(bytes[member.value])))
        }
        return usage
    }

    /// Member `name` of the JSON object `bytes` hold, if it has one (the others are skipped, not parsed);
    /// `nil` too when the bytes are not a JSON object.
    public static func member(_ name: String, inObject bytes: [UInt8]) -> JSONValue? {
        guard let members = try? JSONParser.members(of: bytes), let member = members.last(where: { $0.name == name }) else { return nil }
        return try? JSONParser.parse(Array(bytes[member.value]))
    }

    /// `choices[0][field].content`, if it is a string.
    static func firstChoiceContent(in json: JSONValue, under field: String) -> String? {
        guard case .object(let top) = json, case .array(let choices)? = top["choices"], case .object(let choice)? = choices.first,
              case .object(let inner)? = choice[field], case .string(let content)? = inner["content"] else { return nil }
        return content
    }

    static func usage(in json: JSONValue) -> Usage? {
        guard case .object(let top) = json else { return nil }
        return top["usage"].flatMap(Usage.init(json:))
    }
}

extension Usage {
    /// A `usage` object's `prompt_tokens`, `completion_tokens` and `prompt_tokens_details.cached_tokens`
    /// (OpenAI's), or `input_tokens` and `output_tokens` (Anthropic's); 0 where one is missing.
    init?(json: JSONValue) {
        guard case .object(let usage) = json else { return nil }
        var cached = 0
        if case .object(let details)? = usage["prompt_tokens_details"] { cached = details["cached_tokens"]?.integerValue ?? 0 }
        self.init(promptTokens: (usage["prompt_tokens"] ?? usage["input_tokens"])?.integerValue ?? 0,
                  completionTokens: (usage["completion_tokens"] ?? usage["output_tokens"])?.integerValue ?? 0, cachedPromptTokens: cached)
    }
}
