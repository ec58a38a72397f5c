import Foundation
import HeadroomConfiguration
import HeadroomCore
import Testing
@testable import HeadroomSimulator

func request(_ prompt: Int, _ maxTokens: Int, output: Int? = nil, at seconds: Double = 0) -> SimulatedRequest {
    SimulatedRequest(arrival: .seconds(seconds), promptTokens: prompt, maxTokens: maxTokens, outputTokens: output ?? maxTokens)
}

func isThrottled(_ response: MockEndpoint.Response, after wait: Duration) -> Bool {
    response.outcome == .throttled(retryAfter: wait)
}

@Suite("Mock endpoints")
struct MockEndpointTests {
    @Test("Azure charges prompt + max_tokens at arrival and refuses past the 10-second share until the window ends")
    func azureSubWindow() {
        // 6,000 tokens a minute: 1,000 per 10 s; 36 requests a minute: 6 per 10 s.
        var endpoint = MockEndpoint(model: .azure(tokensPerMinute: 6_000), seed: 1)
        let response1 = endpoint.handle(request(300, 200), now: .seconds(1))
        #expect(response1.charged == 500)
        let response2 = endpoint.handle(request(300, 200), now: .seconds(2))
        #expect(response2.charged == 500)
        let refused = endpoint.handle(request(1, 1), now: .seconds(3))
        #expect(isThrottled(refused, after: .seconds(7)) && refused.charged == 0)
        // Azure's headers: what is left of the minute, and no reset.
        #expect(refused.rateLimits == RateLimitObservation(requests: .init(remaining: 34), tokens: .init(remaining: 5_000), refill: .atReset))
        let response3 = endpoint.handle(request(300, 200), now: .seconds(10))
        #expect(response3.charged == 500)
    }

    @Test("Azure admits a request larger than the window's share only into an empty window")
    func azureOversized() {
        var endpoint = MockEndpoint(model: .azure(tokensPerMinute: 6_000), seed: 1)
        let response4 = endpoint.handle(request(1_000, 500), now: .seconds(0))
        #expect(response4.charged == 1_500)
        let response5 = endpoint.handle(request(10, 10), now: .seconds(5))
        #expect(isThrottled(response5, after: .seconds(5)))
        let response6 = endpoint.handle(request(1_000, 500), now: .seconds(10))
        #expect(response6.charged == 1_500)
    }

    @Test("Azure counts requests per window too")
    func azureRequests() {
        var endpoint = MockEndpoint(model: .azure(tokensPerMinute: 100_000, requestsPerMinute: 12), seed: 1)
        let response7 = endpoint.handle(request(1, 1), now: .seconds(0))
        #expect(response7.charged == 2)
        let response8 = endpoint.handle(request(1, 1), now: .seconds(1))
        #expect(response8.charged == 2)
        let response9 = endpoint.handle(request(1, 1), now: .seconds(2))
        #expect(isThrottled(response9, after: .seconds(8)))
    }

    @Test("OpenAI charges the larger of max_tokens and characters / 4, from buckets that refill continuously")
    func openAIBuckets() {
        var endpoint = MockEndpoint(model: .openAI(requestsPerMinute: 600, tokensPerMinute: 6_000), seed: 1)
        let response10 = endpoint.handle(request(5_000, 100), now: .zero)
        #expect(response10.charged == 5_000)
        let response11 = endpoint.handle(request(100, 800), now: .zero)
        #expect(response11.charged == 800)
        // 200 left; 1,000 more needed at 100 tokens a second.
        let response12 = endpoint.handle(request(100, 1_000), now: .zero)
        #expect(isThrottled(response12, after: .seconds(8)))
        let observed = endpoint.rateLimits(now: .seconds(2))
        #expect(observed.tokens == .init(remaining: 400, limit: 6_000, resetIn: .seconds(56)))
        #expect(observed.refill == .continuous)
        let response13 = endpoint.handle(request(100, 1_000), now: .seconds(8))
        #expect(response13.charged == 1_000)
    }

    @Test("Latency is first token plus time per output token, within the jitter")
    func latency() {
        var model = EndpointModel.openAI(requestsPerMinute: 1_000, tokensPerMinute: 1_000_000)
        model.latency.jitter = 0
        var endpoint = MockEndpoint(model: model, seed: 1)
        let response14 = endpoint.handle(request(10, 100, output: 50), now: .seconds(1))
        #expect(response14.at == Instant(nanoseconds: 2_400_000_000)) // 1 s + 0.4 s + 50 x 0.02 s
    }

    @Test("Outages answer 503 at once; error and time-out rates fail accepted requests")
    func faults() {
        var model = EndpointModel.openAI(requestsPerMinute: 1_000, tokensPerMinute: 1_000_000)
        model.faults.outages = [.init(start: 10, end: 20)]
        model.faults.errorRate = 1
        var endpoint = MockEndpoint(model: model, seed: 1)
        let outage = endpoint.handle(request(10, 10), now: .seconds(15))
        #expect(outage.outcome == .transientFailure(retryAfter: nil, message: "503 Service Unavailable (outage)") && outage.charged == 0)
        let response15 = endpoint.handle(request(10, 10), now: .seconds(21))
        #expect(response15.outcome == .transientFailure(retryAfter: nil, message: "500 Internal Server Error"))
        model.faults = FaultModel()
        model.faults.timeoutRate = 1
        endpoint = MockEndpoint(model: model, seed: 1)
        let silent = endpoint.handle(request(10, 10), now: .seconds(1))
        #expect(silent.at == .seconds(61) && silent.outcome == .transientFailure(retryAfter: nil, message: "timed out after 60.0 s"))
    }

    @Test("Background traffic spends the shared quota")
    func background() {
        var endpoint = MockEndpoint(model: .azure(tokensPerMinute: 6_000), seed: 1)
        let response16 = endpoint.background(tokens: 900, now: .seconds(1))
        #expect(response16)
        let response17 = endpoint.handle(request(100, 100), now: .seconds(2))
        #expect(isThrottled(response17, after: .seconds(8)))
    }

    /// An Azure deployment of 6,000 tokens (36 requests) a minute, 1,000 (6) per 10 s, that has taken one
    /// request of 500 tokens at 1 s, answering a second one of 100 at 2 s in `dialect`.
    static func secondAnswer(_ dialect: EndpointModel.HeaderDialect) -> RateLimitObservation? {
        var model = EndpointModel.azure(tokensPerMinute: 6_000)
        model.headers = dialect
        var endpoint = MockEndpoint(model: model, seed: 1)
        _ = endpoint.handle(request(300, 200), now: .seconds(1))
        return endpoint.handle(request(50, 50), now: .seconds(2)).rateLimits
    }

    static let dialectCases: [(EndpointModel.HeaderDialect, RateLimitObservation?)] = [
        (.minuteRemainder, RateLimitObservation(requests: .init(remaining: 34), tokens: .init(remaining: 5_400), refill: .atReset)),
        (.windowRemainder, RateLimitObservation(requests: .init(remaining: 4), tokens: .init(remaining: 400), refill: .atReset)),
        (.durations, RateLimitObservation(requests: .init(remaining: 34, limit: 36, resetIn: .seconds(58)),
                                          tokens: .init(remaining: 5_400, limit: 6_000, resetIn: .seconds(58)), refill: .atReset)),
        (.none, nil),
        (.unknown, RateLimitObservation(tokens: .init(remaining: 0), refill: .atReset)),
        (.lagging, RateLimitObservation(requests: .init(remaining: 35), tokens: .init(remaining: 5_500), refill: .atReset)),
    ]

    @Test("Each header dialect says what its servers say", arguments: dialectCases)
    func dialects(_ dialect: EndpointModel.HeaderDialect, _ expected: RateLimitObservation?) {
        #expect(Self.secondAnswer(dialect) == expected)
    }

    @Test("Azure's Responses API dialect refuses without a retry-after")
    func unknownDialectRefusesWithoutRetryAfter() {
        var model = EndpointModel.azure(tokensPerMinute: 6_000)
        model.headers = .unknown
        var endpoint = MockEndpoint(model: model, seed: 1)
        _ = endpoint.handle(request(900, 100), now: .seconds(1))
        #expect(endpoint.handle(request(10, 10), now: .seconds(2)).outcome == .throttled(retryAfter: nil))
    }

    @Test("Crossing admission lets in the request that crosses a limit, and nothing after it in that window")
    func crossingAdmission() {
        var model = EndpointModel.azure(tokensPerMinute: 6_000)
        model.admission = .crossing
        model.enforcesMinute = false
        var endpoint = MockEndpoint(model: model, seed: 1)
        #expect(endpoint.handle(request(500, 300), now: .seconds(1)).charged == 800)
        // 200 left of the window's 1,000: a request of 600 still gets in.
        #expect(endpoint.handle(request(500, 100), now: .seconds(2)).charged == 600)
        #expect(isThrottled(endpoint.handle(request(1, 1), now: .seconds(3)), after: .seconds(7)))
        // Only 10-second windows: six of them in the minute take 6,000 and more.
        for second in stride(from: 10.0, to: 60, by: 10) {
            #expect(endpoint.handle(request(900, 100), now: .seconds(second)).charged == 1_000)
        }
        #expect(endpoint.handle(request(900, 100), now: .seconds(60)).charged == 1_000)
    }

}
