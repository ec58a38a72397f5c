import Foundation
import HeadroomCore

/// Everything one provider's API does its own way: how a request is built, what its
/// rate-limit headers say, how its answers and errors read, and how its streams
/// carry usage and end. ``OpenAIAdapter`` and ``AzureOpenAIAdapter`` speak OpenAI's
/// API, ``AnthropicAdapter`` Anthropic's Messages API; write your own for another.
///
/// The defaults read OpenAI's dialect: `x-ratelimit-*` headers with budgets that
/// refill continuously, `{"error": {...}}` bodies, `usage` objects, streams ended by
/// `data: [DONE]`. Implementers must be pure: the same arguments give the same
/// answer, and nothing secret (an API key) appears in an error.
public protocol ProviderAdapter: Sendable {
    /// The request for `operation` carrying the JSON object `body` for `model`.
    func request(_ operation: ProviderOperation, body: [UInt8], model: String) throws(HeadroomError) -> HTTPRequestData
    /// What the rate-limit headers of an answer received at `receivedAt` say.
    func rateLimits(in headers: [String: String], receivedAt: Date) -> RateLimitHeaders
    /// What an answer means: its status, headers and (whole) body. `expectedUsage` stands in
    /// when a successful body reports no usage.
    func classify(status: Int, headers: [String: String], body: [UInt8], receivedAt: Date, expectedUsage: Usage) -> ClassifiedResponse
    /// Reads one event of a streamed answer (its data, a JSON object): folds what it says of the
    /// usage into `usage`, and returns whether it is the stream's last (a stream may also end with
    /// `data: [DONE]`). Throws when the event is not JSON, or reports an error.
    func read(streamEvent event: [UInt8], usage: inout Usage?) throws -> Bool
}

extension ProviderAdapter {
    /// OpenAI's headers, budgets refilling continuously.
    public func rateLimits(in headers: [String: String], receivedAt: Date) -> RateLimitHeaders {
        RateLimitHeaders(headers, refill: .continuous, receivedAt: receivedAt)
    }

    /// OpenAI's answers and `{"error": {"message", "type", "code"}}` bodies.
    public func classify(status: Int, headers: [String: String], body: [UInt8], receivedAt: Date, expectedUsage: Usage) -> ClassifiedResponse {
        ResponseClassifier.classify(status: status, body: body, rateLimits: rateLimits(in: headers, receivedAt: receivedAt),
                                    expectedUsage: expectedUsage)
    }

    /// OpenAI's chunks: the usage in the last one, when asked for; the end is `data: [DONE]`.
    public func read(streamEvent event: [UInt8], usage: inout Usage?) throws -> Bool {
        if let reported = try JSONValue.usage(inObject: event) { usage = reported }
        return false
    }
}
