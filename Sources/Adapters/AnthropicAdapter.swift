import Foundation
import HeadroomCore

/// Anthropic's Messages API: `POST {baseURL}/messages` with an `x-api-key` and an
/// `anthropic-version`, the body in Anthropic's format with its `model` set.
///
/// Anthropic limits requests, input tokens and output tokens a minute, each a
/// bucket that refills continuously; its `anthropic-ratelimit-*` headers report
/// all three (``RateLimitHeaders/anthropic(_:receivedAt:)``). The scheduler charges
/// the prompt against `tokensPerMinute` (``ChargeRule/promptOnly``) and `max_tokens`
/// against ``Deployment/outputTokensPerMinute``, settled at what was generated.
/// Its streams carry the prompt's tokens in `message_start`, the output's in
/// `message_delta`, and end with `message_stop`.
public struct AnthropicAdapter: ProviderAdapter {
    /// The API's base, e.g. `https://api.anthropic.com/v1`.
    public var baseURL: String
    /// The key sent as `x-api-key`.
    public var apiKey: APIKey
    /// Sent as `anthropic-version`.
    public var version: String

    /// An adapter for Anthropic's API at `baseURL`.
    public init(baseURL: String = "https://api.anthropic.com/v1", apiKey: APIKey, version: String = "2023-06-01") {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.version = version
    }

    public func request(_ operation: ProviderOperation, body: [UInt8], model: String) throws(HeadroomError) -> HTTPRequestData {
        guard operation == .messages else {
            throw HeadroomError(.invalidJob, "This deployment is Anthropic's and serves /messages, not /\(operation.rawValue); send the request in Anthropic's format.")
        }
        let headers = [HTTPField("x-api-key", apiKey.value), HTTPField("anthropic-version", version), HTTPField("Content-Type", "application/json")]
        return HTTPRequestData(method: "POST", url: "\(baseURL)/messages", headers: headers,
                               body: try JSONObjectEdit.setting("model", to: .string(model), in: body))
    }

    /// Anthropic's `anthropic-ratelimit-*` headers.
    public func rateLimits(in headers: [String: String], receivedAt: Date) -> RateLimitHeaders {
        RateLimitHeaders.anthropic(headers, receivedAt: receivedAt)
    }

    /// Anthropic's stream events: the prompt's tokens in `message_start`, the output's in
    /// `message_delta`; `message_stop` ends the stream, an `error` event breaks it.
    public func read(streamEvent event: [UInt8], usage: inout Usage?) throws -> Bool {
        var type: String?
        for member in try JSONParser.members(of: event) {
            switch member.name {
            case "type":
                type = try JSONParser.parse(Array(event[member.value])).stringValue
            case "message":
                // message_start: {"message": {"usage": {"input_tokens": N, ...}}}
                if let started = try JSONValue.usage(inObject: Array(event[member.value])) {
                    usage = Usage(promptTokens: started.promptTokens, completionTokens: max(usage?.completionTokens ?? 0, started.completionTokens))
                }
            case "usage":
                // message_delta: {"usage": {"output_tokens": N}}, the output so far.
                if case .object(let counts) = try JSONParser.parse(Array(event[member.value])), let output = counts["output_tokens"]?.integerValue {
                    usage = Usage(promptTokens: usage?.promptTokens ?? 0, completionTokens: output)
                }
            default:
                break
            }
        }
        if type == "error" { throw StreamReportedError() }
        return type == "message_stop"
    }
}

/// A stream that reported an error in one of its events.
struct StreamReportedError: Error, CustomStringConvertible {
    var description: String { "the provider reported an error in the stream" }
}
