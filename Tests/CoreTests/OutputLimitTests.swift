import HeadroomCore
import HeadroomPolicies
import Testing

@Suite("Output tokens limited apart")
struct OutputLimitTests {
    /// Anthropic's limits: 100 requests, 10,000 input tokens and 1,000 output tokens a minute, as refilling buckets.
    private func anthropic() throws -> any SchedulerEvents {
        let deployment = try Deployment(id: "claude", provider: .anthropic, requestsPerMinute: 100, tokensPerMinute: 10_000,
                                        outputTokensPerMinute: 1_000)
        #expect(deployment.charge.reservation(for: job(500, 600)) == 500)
        return try makeScheduler([deployment])
    }

    @Test("A job reserves its prompt against the input limit and max_tokens against the output limit, settled at what it generated")
    func outputReservedThenSettled() throws {
        var scheduler = try anthropic()
        let (first, sent) = scheduler.submit(job(500, 600), now: at(0))
        #expect(sent == [.dispatch(first, to: "claude", attempt: 1)])
        // 600 more output tokens do not fit 1,000 until 200 have refilled: 12 s (and the nanosecond of margin a bucket keeps).
        let (second, waiting) = scheduler.submit(job(500, 600), now: at(0))
        #expect(waiting == [.scheduleWakeup(at: Instant(nanoseconds: at(12).nanoseconds + 1))])
        // The first generated 100: 500 come back, and the second fits at once.
        let usage = Usage(promptTokens: 500, completionTokens: 100)
        #expect(scheduler.complete(first, outcome: .succeeded(usage), now: at(1)) == [served(first, by: "claude", usage),
                                                                                      .dispatch(second, to: "claude", attempt: 1)])
    }

    @Test("The input limit holds on its own: output to spare does not let a long prompt through")
    func inputLimitHolds() throws {
        var scheduler = try anthropic()
        _ = scheduler.submit(job(9_000, 10), now: at(0))
        // 9,000 of 10,000 input tokens owed: 2,000 more fit once 1,000 have refilled, 6 s later.
        let (_, waiting) = scheduler.submit(job(2_000, 10), now: at(0))
        #expect(waiting == [.scheduleWakeup(at: Instant(nanoseconds: at(6).nanoseconds + 1))])
    }

    @Test("The output budget the headers report holds the deployment back as the ledger's own would")
    func outputHeadersAdopted() throws {
        var scheduler = try anthropic()
        let (first, _) = scheduler.submit(job(10, 100), now: at(0))
        // The server says 100 output tokens are left, refilling to 1,000 over 54 s (1,000 a minute).
        let headers = RateLimitObservation(requests: .init(remaining: 99), tokens: .init(remaining: 9_990),
                                           outputTokens: .init(remaining: 100, limit: 1_000, resetIn: .seconds(54)))
        _ = scheduler.complete(first, outcome: .succeeded(Usage(promptTokens: 10, completionTokens: 100)), rateLimits: headers, now: at(0))
        // 500 output tokens need 400 more than the 100 left: 24 s at 1,000 a minute (to the nanosecond the view rounds up to).
        let (_, waiting) = scheduler.submit(job(10, 500), now: at(0))
        guard case .scheduleWakeup(let wake)? = waiting.first else { Issue.record("\(waiting)"); return }
        #expect((at(24).nanoseconds ... at(24).nanoseconds + 1).contains(wake.nanoseconds), "\(wake.nanoseconds)")
    }

    @Test("An output limit out of range is refused, naming it")
    func outOfRange() {
        #expect(throws: HeadroomError(.invalidConfiguration,
                                      "Deployment 'claude': outputTokensPerMinute is 0; it must be from 1 to 1,000,000,000,000, or nil when output is not limited apart.")) {
            try Deployment(id: "claude", provider: .anthropic, requestsPerMinute: 1, tokensPerMinute: 1, outputTokensPerMinute: 0)
        }
    }
}
