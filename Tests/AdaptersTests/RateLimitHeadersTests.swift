import Foundation
import HeadroomAdapters
import HeadroomCore
import Testing

@Suite("Go durations")
struct GoDurationTests {
    @Test("Parses what OpenAI sends", arguments: [
        ("6m0s", Duration.seconds(360)), ("1s", .seconds(1)), ("12ms", .milliseconds(12)), ("0s", .zero), ("0", .zero),
        ("1h2m3.5s", .milliseconds(3_723_500)), ("250us", .microseconds(250)), ("250µs", .microseconds(250)),
        ("40ns", .nanoseconds(40)), ("2.5m", .seconds(150)), (" 7s ", .seconds(7)),
    ])
    func parses(_ text: String, _ expected: Duration) {
        #expect(GoDuration.parse(text) == expected)
    }

    @Test("Refuses anything malformed, negative or absurd", arguments: [
        "", "-1", "-1s", "s", "6x", "1.2.3s", "1e9s", "25h", "9999999999999999999h", "ms", "1s2", "NaN", "1 s",
    ])
    func refuses(_ text: String) {
        #expect(GoDuration.parse(text) == nil)
    }
}

@Suite("Rate-limit headers")
struct RateLimitHeadersTests {
    let received = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("OpenAI's limit, remaining and reset headers, with continuous refill")
    func openAI() {
        let headers = RateLimitHeaders([
            "x-ratelimit-limit-requests": "500", "x-ratelimit-limit-tokens": "200000",
            "X-RateLimit-Remaining-Requests": "499", "x-ratelimit-remaining-tokens": "189750",
            "x-ratelimit-reset-requests": "120ms", "x-ratelimit-reset-tokens": "3s",
        ], refill: .continuous, receivedAt: received)
        #expect(headers.observation == RateLimitObservation(
            requests: .init(remaining: 499, limit: 500, resetIn: .milliseconds(120)),
            tokens: .init(remaining: 189_750, limit: 200_000, resetIn: .seconds(3)), refill: .continuous))
        #expect(headers.retryAfter == nil)
    }

    @Test("Azure's remaining headers and retry-after, with budgets that come back at the reset")
    func azure() {
        let headers = RateLimitHeaders([
            "x-ratelimit-remaining-requests": "12", "x-ratelimit-remaining-tokens": "2000",
            "retry-after": "7", "x-ms-retry-after-ms": "6400.5",
        ], refill: .atReset, receivedAt: received)
        #expect(headers.observation == RateLimitObservation(requests: .init(remaining: 12), tokens: .init(remaining: 2_000), refill: .atReset))
        #expect(headers.retryAfter == .nanoseconds(6_400_500_000))
    }

    @Test("retry-after-ms wins over retry-after; an HTTP date counts from receipt")
    func retryAfterForms() {
        #expect(RateLimitHeaders(["retry-after": "3", "retry-after-ms": "2500"], refill: .continuous, receivedAt: received).retryAfter == .milliseconds(2_500))
        let date = RateLimitHeaders(["Retry-After": "Tue, 14 Nov 2023 22:13:30 GMT"], refill: .continuous, receivedAt: received)
        #expect(date.retryAfter == .seconds(10))
        let past = RateLimitHeaders(["retry-after": "Tue, 14 Nov 2023 22:13:00 GMT"], refill: .continuous, receivedAt: received)
        #expect(past.retryAfter == .zero)
    }

    @Test("Hostile or malformed values are ignored", arguments: [
        ["retry-after": "-5"], ["retry-after": "soon"], ["retry-after": "99999999999"], ["retry-after-ms": "inf"],
        ["retry-after-ms": "-1"], ["x-ms-retry-after-ms": "1e300"], ["retry-after": "Thu, 01 Jan 2099 00:00:00 GMT"],
    ])
    func hostileRetryAfter(_ fields: [String: String]) {
        #expect(RateLimitHeaders(fields, refill: .continuous, receivedAt: received).retryAfter == nil)
    }

    @Test("Anthropic's requests, input and output budgets, their resets RFC 3339 instants")
    func anthropic() {
        let headers = RateLimitHeaders.anthropic([
            "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49",
            "anthropic-ratelimit-requests-reset": "2023-11-14T22:13:21Z",
            "anthropic-ratelimit-input-tokens-limit": "30000", "anthropic-ratelimit-input-tokens-remaining": "29000",
            "anthropic-ratelimit-input-tokens-reset": "2023-11-14T22:13:22.500Z",
            "Anthropic-RateLimit-Output-Tokens-Limit": "8000", "anthropic-ratelimit-output-tokens-remaining": "7600",
            "anthropic-ratelimit-output-tokens-reset": "2023-11-14T22:13:23Z",
            "anthropic-ratelimit-tokens-remaining": "7600", "retry-after": "4",
        ], receivedAt: received)
        let expected = RateLimitObservation(requests: .init(remaining: 49, limit: 50, resetIn: .seconds(1)),
                                            tokens: .init(remaining: 29_000, limit: 30_000, resetIn: .milliseconds(2_500)),
                                            outputTokens: .init(remaining: 7_600, limit: 8_000, resetIn: .seconds(3)), refill: .continuous)
        #expect(headers.observation == expected)
        #expect(headers.retryAfter == .seconds(4))
        // OpenAI's fields mean nothing to Anthropic's reader, nor Anthropic's to OpenAI's.
        #expect(RateLimitHeaders.anthropic(["x-ratelimit-remaining-tokens": "5"], receivedAt: received).observation == nil)
        #expect(RateLimitHeaders(["anthropic-ratelimit-input-tokens-remaining": "5"], refill: .continuous, receivedAt: received).observation == nil)
        // A reset that is not an instant, or is years away, is dropped.
        let hostile = RateLimitHeaders.anthropic(["anthropic-ratelimit-output-tokens-remaining": "1",
                                                  "anthropic-ratelimit-output-tokens-reset": "soon",
                                                  "anthropic-ratelimit-requests-remaining": "1",
                                                  "anthropic-ratelimit-requests-reset": "2099-01-01T00:00:00Z"], receivedAt: received)
        #expect(hostile.observation == RateLimitObservation(requests: .init(remaining: 1), outputTokens: .init(remaining: 1)))
    }

    @Test("Sentinels and garbage in budget headers are dropped, keeping the rest")
    func hostileBudgets() {
        let headers = RateLimitHeaders([
            "x-ratelimit-remaining-requests": "-1", "x-ratelimit-remaining-tokens": "1200",
            "x-ratelimit-limit-tokens": "12abc", "x-ratelimit-reset-tokens": "-1",
            "x-ratelimit-reset-requests": "10000000h",
        ], refill: .continuous, receivedAt: received)
        #expect(headers.observation == RateLimitObservation(tokens: .init(remaining: 1_200), refill: .continuous))
        #expect(RateLimitHeaders(["content-type": "application/json"], refill: .continuous, receivedAt: received).observation == nil)
    }
}
