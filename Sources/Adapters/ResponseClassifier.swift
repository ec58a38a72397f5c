import Foundation
import HeadroomCore

/// What a provider's answer to one attempt means.
public enum ResponseClass: Hashable, Sendable {
    /// Served.
    case success
    /// A 429 for the rate limit, by requests, by tokens, or not said.
    case throttled(ThrottleScope)
    /// Worth retrying: 408, 409, 5xx, a reset connection, a time-out.
    case transient
    /// The prompt and `max_tokens` do not fit the model's context.
    case contextLengthExceeded
    /// A content filter refused the prompt or the completion.
    case contentFiltered
    /// Anything else wrong with the request, a 404 for its model or deployment included.
    case badRequest
    /// The deployment cannot serve at all: credentials refused (401, 403), quota exhausted.
    case unavailable
    /// Accepted (a 2xx head), then broken: cut off, too large, not JSON, nested too deep.
    case brokenAnswer

    /// Which rate limit a 429 was about.
    public enum ThrottleScope: String, Hashable, Sendable {
        case requests, tokens, unknown
    }
}

/// A classified response: the class, the provider's own words, and what to tell the scheduler.
public struct ClassifiedResponse: Hashable, Sendable {
    /// What the response means.
    public var responseClass: ResponseClass
    /// The provider's message (or the status line when it gave none).
    public var message: String
    /// The provider's error code, e.g. `context_length_exceeded`.
    public var code: String?
    /// The outcome for ``Scheduler/complete(_:outcome:rateLimits:now:)``.
    public var outcome: AttemptOutcome
    /// What the rate-limit headers said, for the same call.
    public var rateLimits: RateLimitObservation?
}

/// Reads a provider's answer: its status, and the `{"error": {"message", "type", "code"}}`
/// body that OpenAI, Azure OpenAI and Anthropic all use, with the rate-limit headers its
/// adapter read (``ProviderAdapter/classify(status:headers:body:receivedAt:expectedUsage:)``).
///
/// ```swift
/// let result = ResponseClassifier.classify(status: 429, body: response.body,
///                                          rateLimits: adapter.rateLimits(in: response.headers, receivedAt: Date()))
/// scheduler.complete(id, outcome: result.outcome, rateLimits: result.rateLimits, now: now)
/// ```
public enum ResponseClassifier {
    /// Classifies one HTTP response. `expectedUsage` stands in when a successful
    /// body reports no usage (a stream without a usage chunk).
    public static func classify(
        status: Int, body: [UInt8], rateLimits signals: RateLimitHeaders, expectedUsage: Usage = Usage(promptTokens: 0, completionTokens: 0)
    ) -> ClassifiedResponse {
        if (200 ..< 300).contains(status) {
            // Only the usage is read; the rest is checked to be JSON (nesting bounded) and skipped.
            let usage: Usage?
            do {
                usage = try JSONValue.usage(inObject: body)
            } catch {
                let problem = error == .tooDeep ? "nests deeper than \(JSONParser.deepestAllowed)" : "is not a JSON object"
                return brokenAnswer("HTTP \(status), and the body (\(body.count) bytes) \(problem)", rateLimits: signals)
            }
            return ClassifiedResponse(responseClass: .success, message: "OK", code: nil, outcome: .succeeded(usage ?? expectedUsage),
                                      rateLimits: signals.observation)
        }
        var error: [String: JSONValue] = [:]
        if case .object(let json)? = try? JSONParser.parse(body), case .object(let fields)? = json["error"] { error = fields }
        let message = error["message"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "HTTP \(status)"
        let code = error["code"]?.stringValue ?? error["code"]?.integerValue.map(String.init)
        let type = error["type"]?.stringValue
        var innerCode: String?
        if case .object(let inner)? = error["innererror"] { innerCode = inner["code"]?.stringValue }
        let lowered = message.lowercased()

        func result(_ responseClass: ResponseClass, _ outcome: AttemptOutcome) -> ClassifiedResponse {
            ClassifiedResponse(responseClass: responseClass, message: message, code: code, outcome: outcome, rateLimits: signals.observation)
        }
        let described = "\(status)\(code.flatMap { $0 == String(status) ? nil : " \($0)" } ?? ""): \(message)"

        switch status {
        case 429 where code == "insufficient_quota" || type == "insufficient_quota":
            return result(.unavailable, .deploymentUnavailable(message: described))
        case 429:
            let scope: ResponseClass.ThrottleScope =
                lowered.contains("tokens per min") || lowered.contains("token rate limit") || lowered.contains("(tpm)") ? .tokens
                : lowered.contains("requests per min") || lowered.contains("call rate limit") || lowered.contains("(rpm)") ? .requests
                : .unknown
            return result(.throttled(scope), .throttled(retryAfter: signals.retryAfter))
        case 401, 403:
            return result(.unavailable, .deploymentUnavailable(message: described))
        case 404:
            // The model or deployment the request names does not exist here. A client can name any
            // model, so this is the request's fault: it must never take a deployment out of rotation.
            return result(.badRequest, .permanentFailure(message: described))
        case 408, 409, 500 ..< 600:
            return result(.transient, .transientFailure(retryAfter: signals.retryAfter, message: described))
        case ..<200, 300 ..< 400, 600...:
            // Not an answer the API gives (redirects are followed before this): the upstream's fault, worth another deployment.
            return result(.transient, .transientFailure(retryAfter: nil, message: "HTTP \(status) is not a status the API answers with"))
        default:
            if code == "context_length_exceeded" || lowered.contains("maximum context length") {
                return result(.contextLengthExceeded, .permanentFailure(message: described))
            }
            if code == "content_filter" || innerCode == "ResponsibleAIPolicyViolation" || code == "content_policy_violation" {
                return result(.contentFiltered, .permanentFailure(message: described))
            }
            return result(.badRequest, .permanentFailure(message: described))
        }
    }

    /// An answer the provider accepted (a 2xx head), then broke: cut off, too large, not what the API answers.
    public static func brokenAnswer(_ description: String, rateLimits: RateLimitHeaders) -> ClassifiedResponse {
        ClassifiedResponse(responseClass: .brokenAnswer, message: description, code: nil, outcome: .brokenAnswer(message: description),
                           rateLimits: rateLimits.observation)
    }

    /// A failure before any response: a reset connection, a refused connection, a time-out.
    public static func transportFailure(_ description: String) -> ClassifiedResponse {
        ClassifiedResponse(responseClass: .transient, message: description, code: nil,
                           outcome: .transientFailure(retryAfter: nil, message: description), rateLimits: nil)
    }
}
