import Foundation
import HeadroomAdapters
import HeadroomCore
import Testing

func classify(_ status: Int, _ body: String, headers: [String: String] = [:],
              adapter: any ProviderAdapter = OpenAIAdapter(apiKey: APIKey("k"))) -> ClassifiedResponse {
    adapter.classify(status: status, headers: headers, body: Array(body.utf8), receivedAt: Date(timeIntervalSince1970: 1_700_000_000),
                     expectedUsage: Usage(promptTokens: 0, completionTokens: 0))
}

@Suite("Response classification")
struct ResponseClassifierTests {
    @Test("A success reports its usage and the rate-limit headers")
    func success() {
        let result = classify(200, #"{"id":"chatcmpl-1","usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}"#,
                              headers: ["x-ratelimit-remaining-tokens": "9983"])
        #expect(result.responseClass == .success)
        #expect(result.outcome == .succeeded(Usage(promptTokens: 12, completionTokens: 5)))
        #expect(result.rateLimits?.tokens?.remaining == 9_983)
    }

    @Test("Prompt tokens read from the provider's cache are reported, and priced at the cached price where the table gives one")
    func cachedPromptTokens() {
        let result = classify(200, #"{"usage":{"prompt_tokens":2000,"completion_tokens":100,"prompt_tokens_details":{"cached_tokens":1500}}}"#)
        let usage = Usage(promptTokens: 2_000, completionTokens: 100, cachedPromptTokens: 1_500)
        #expect(result.outcome == .succeeded(usage))
        let prices = PriceTable(["m": Price(inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 1)])
        // 500 × 2 + 1,500 × 1 + 100 × 8, a million's worth: 0.0033; batched, half.
        #expect(abs(prices.cost(of: usage, model: "m", batch: false)! - 0.0033) < 1e-15)
        #expect(abs(prices.cost(of: usage, model: "m", batch: true)! - 0.00165) < 1e-15)
        // Without a cached price, cached tokens cost what input does; a cached count past the prompt counts as the prompt.
        let plain = PriceTable(["m": Price(inputPerMillion: 2, outputPerMillion: 8)])
        #expect(abs(plain.cost(of: Usage(promptTokens: 2_000, completionTokens: 100, cachedPromptTokens: 9_999), model: "m", batch: false)! - 0.0048) < 1e-15)
    }

    @Test("Errors are classified as the providers document them, keeping their message", arguments: [
        (429, #"{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29500, Requested 900. Please try again in 1.8s.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}"#,
         ResponseClass.throttled(.tokens)),
        (429, #"{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on requests per min (RPM): Limit 500, Used 500, Requested 1.","type":"requests","code":"rate_limit_exceeded"}}"#,
         .throttled(.requests)),
        (429, #"{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current pricing tier. Please retry after 6 seconds."}}"#,
         .throttled(.tokens)),
        (429, #"{"error":{"code":"429","message":"Requests to the Embeddings_Create Operation have exceeded call rate limit of your current pricing tier."}}"#,
         .throttled(.requests)),
        (429, #"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","code":"insufficient_quota"}}"#,
         .unavailable),
        (400, #"{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
         .contextLengthExceeded),
        (400, #"{"error":{"message":"The response was filtered due to the prompt triggering the content management policy.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation"}}}"#,
         .contentFiltered),
        (400, #"{"error":{"message":"'messages' is a required property","type":"invalid_request_error","param":null,"code":null}}"#,
         .badRequest),
        (401, #"{"error":{"message":"Incorrect API key provided: sk-abc***xyz.","type":"invalid_request_error","code":"invalid_api_key"}}"#,
         .unavailable),
        (404, #"{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}"#,
         .badRequest),
        (404, #"{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}"#,
         .badRequest),
        (403, #"{"error":{"code":"PermissionDenied","message":"Principal does not have access to API/Operation."}}"#,
         .unavailable),
        (500, #"{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}"#, .transient),
        (503, "<html>Service Unavailable</html>", .transient),
        (408, "", .transient),
    ])
    func errors(_ status: Int, _ body: String, _ expected: ResponseClass) {
        let result = classify(status, body)
        #expect(result.responseClass == expected)
        if let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
           let message = (json["error"] as? [String: Any])?["message"] as? String {
            #expect(result.message == message)
        }
    }

    @Test("The scheduler's outcome carries the retry-after, and the reason")
    func outcomes() {
        let throttled = classify(429, #"{"error":{"message":"slow down"}}"#, headers: ["retry-after-ms": "1500"])
        #expect(throttled.outcome == .throttled(retryAfter: .milliseconds(1_500)))
        let failed = classify(502, "", headers: ["retry-after": "3"])
        #expect(failed.outcome == .transientFailure(retryAfter: .seconds(3), message: "502: HTTP 502"))
        let denied = classify(401, #"{"error":{"message":"bad key","code":"invalid_api_key"}}"#)
        #expect(denied.outcome == .deploymentUnavailable(message: "401 invalid_api_key: bad key"))
        #expect(ResponseClassifier.transportFailure("connection reset by peer").outcome
            == .transientFailure(retryAfter: nil, message: "connection reset by peer"))
    }
}
