import HeadroomCore
import Testing

/// Calibration from headers, adaptation to 429s, and how jobs share deployments.
@Suite("Scheduler capacity")
struct SchedulerCapacityTests {
    @Test("A lower remaining budget from the server holds jobs until its refill covers them")
    func adoptsLowerServerBudget() throws {
        var scheduler = try makeScheduler([server("a", tpm: 10_000)])
        let first = scheduler.submit(job(), now: at(0)).id
        // The headers describe the budget when the server took the request, at 0 s:
        // 1,000 left, refilling to 5,000 over 4 s, 1,000 a second.
        let headers = RateLimitObservation(tokens: .init(remaining: 1_000, limit: 5_000, resetIn: .seconds(4)))
        #expect(scheduler.complete(first, outcome: ok, rateLimits: headers, now: at(1)) == [served(first, by: "a", okUsage)])
        #expect(scheduler.snapshot(now: at(1)).deployments[0].remainingTokens == 2_000)
        let (second, actions) = scheduler.submit(job(2_000, 1_000), now: at(1))
        #expect(actions == [.scheduleWakeup(at: Instant(nanoseconds: 2_000_000_001))])
        #expect(scheduler.tick(now: Instant(nanoseconds: 2_000_000_001)) == [.dispatch(second, to: "a", attempt: 1)])
    }

    @Test("Charges sent after the request the headers answer are spent against the server's budget")
    func countsWhatTheServerHadNotSeen() throws {
        var scheduler = try makeScheduler([server("a", tpm: 10_000)])
        let first = scheduler.submit(job(100, 100), now: at(0)).id
        _ = scheduler.submit(job(400, 100), now: at(0.5))
        // At 0 s the server had 1,000 left until its window resets at 10 s; the 500 sent at 0.5 s it had not seen.
        let headers = RateLimitObservation(tokens: .init(remaining: 1_000, resetIn: .seconds(10)), refill: .atReset)
        _ = scheduler.complete(first, outcome: ok, rateLimits: headers, now: at(1))
        #expect(scheduler.snapshot(now: at(1)).deployments[0].remainingTokens == 500)
        let (third, actions) = scheduler.submit(job(400, 200), now: at(2))
        #expect(actions == [.scheduleWakeup(at: at(10))])
        #expect(scheduler.tick(now: at(10)) == [.dispatch(third, to: "a", attempt: 1)])
    }

    @Test("A server budget higher than the ledger's own changes nothing")
    func ignoresHigherServerBudget() throws {
        var scheduler = try makeScheduler([server("a", tpm: 1_000)])
        let first = scheduler.submit(job(300, 300), now: at(0)).id
        let headers = RateLimitObservation(tokens: .init(remaining: 900, resetIn: .seconds(1)))
        _ = scheduler.complete(first, outcome: .succeeded(Usage(promptTokens: 300, completionTokens: 300)), rateLimits: headers, now: at(1))
        #expect(scheduler.snapshot(now: at(1)).deployments[0].remainingTokens == 400)
        let (second, actions) = scheduler.submit(job(300, 200), now: at(1))
        #expect(actions == [.scheduleWakeup(at: at(60))])
        #expect(scheduler.tick(now: at(60)) == [.dispatch(second, to: "a", attempt: 1)])
    }

    @Test("Actual usage settles the charge, returning unused reservation to the budget")
    func settlesToActualUsage() throws {
        var scheduler = try makeScheduler([server("a", tpm: 1_000)])
        let first = scheduler.submit(job(200, 600), now: at(0)).id
        #expect(scheduler.snapshot(now: at(0)).deployments[0].remainingTokens == 200)
        _ = scheduler.complete(first, outcome: .succeeded(Usage(promptTokens: 200, completionTokens: 100)), now: at(1))
        #expect(scheduler.snapshot(now: at(1)).deployments[0].remainingTokens == 700)
    }

    @Test("Azure keeps the output allowance but corrects the prompt estimate")
    func azureSettlesPromptOnly() throws {
        let azure = try Deployment(id: "east", provider: .azureOpenAI, requestsPerMinute: 6, tokensPerMinute: 1_000, windows: .perMinute)
        var scheduler = try makeScheduler([azure])
        let first = scheduler.submit(job(200, 600), now: at(0)).id
        _ = scheduler.complete(first, outcome: .succeeded(Usage(promptTokens: 150, completionTokens: 100)), now: at(1))
        #expect(scheduler.snapshot(now: at(1)).deployments[0].remainingTokens == 250)
    }

    @Test("429 episodes shrink the limits, and quiet intervals restore them step by step")
    func adaptsToThrottling() throws {
        var scheduler = try makeScheduler([server("a", rpm: 100)])
        let id = scheduler.submit(job(), now: at(0)).id
        _ = scheduler.complete(id, outcome: .throttled(retryAfter: .seconds(1)), now: at(0))
        #expect(scheduler.snapshot(now: at(0)).deployments[0].limitFactor == 0.9)
        #expect(scheduler.snapshot(now: at(0)).deployments[0].blockedUntil == at(1))
        #expect(scheduler.snapshot(now: at(0)).deployments[0].remainingRequests == 0)
        _ = scheduler.tick(now: at(1))
        _ = scheduler.complete(id, outcome: .throttled(retryAfter: .seconds(1)), now: at(1.5))
        let shrunk = scheduler.snapshot(now: at(1.5)).deployments[0]
        #expect(shrunk.limitFactor == 0.9 * 0.9)
        #expect(scheduler.snapshot(now: at(11.5)).deployments[0].limitFactor == 0.9 * 0.9 + 0.02)
        #expect(scheduler.snapshot(now: at(200)).deployments[0].limitFactor == 1)
    }

    @Test("429s of one burst count as one episode")
    func burstOf429sIsOneEpisode() throws {
        var scheduler = try makeScheduler([server("a")])
        let ids = (0 ..< 3).map { _ in scheduler.submit(job(), now: at(0)).id }
        for id in ids { _ = scheduler.complete(id, outcome: .throttled(retryAfter: .seconds(2)), now: at(0.5)) }
        #expect(scheduler.snapshot(now: at(0.5)).deployments[0].limitFactor == 0.9)
    }

    @Test("Jobs for one model never wait behind jobs for another")
    func noHeadOfLineBlockingAcrossModels() throws {
        var scheduler = try makeScheduler([server("x", models: ["x"], concurrency: 1), server("y", models: ["y"])])
        _ = scheduler.submit(job(model: "x"), now: at(0))
        #expect(scheduler.submit(job(model: "x"), now: at(0)).actions == [])
        let (forY, actions) = scheduler.submit(job(model: "y"), now: at(0))
        #expect(actions == [.dispatch(forY, to: "y", attempt: 1)])
    }

    @Test("Without backfilling, strict FIFO holds a small job behind a blocked large one")
    func strictFIFOHoldsSmallJobs() throws {
        var configuration = SchedulerConfiguration.exact
        configuration.backfill = false
        var scheduler = try makeScheduler([server("a", tpm: 1_000)], queue: .fifo, configuration: configuration)
        _ = scheduler.submit(job(500, 100), now: at(0))
        #expect(scheduler.submit(job(500, 100), now: at(1)).actions == [.scheduleWakeup(at: at(60))])
        #expect(scheduler.submit(job(100, 100), now: at(2)).actions == [])
    }

    @Test("Backfilling sends a job past a blocked one when that cannot delay it", arguments: QueueKind.allCases)
    func backfillsWithoutDelay(_ queue: QueueKind) throws {
        var scheduler = try makeScheduler([server("a", tpm: 1_000)], queue: queue)
        _ = scheduler.submit(job(500, 100), now: at(0))
        let head = scheduler.submit(job(500, 100), now: at(1)).id
        // At 60 s the first job's 600 tokens leave the minute: 200 + 600 fit then.
        let (small, actions) = scheduler.submit(job(100, 100), now: at(2))
        #expect(actions == [.dispatch(small, to: "a", attempt: 1)])
        #expect(scheduler.tick(now: at(60)) == [.dispatch(head, to: "a", attempt: 1)])
    }

    @Test("Backfilling refuses a job that would delay the blocked one")
    func backfillRefusesDelay() throws {
        var scheduler = try makeScheduler([server("a", tpm: 1_000)], queue: .fifo)
        _ = scheduler.submit(job(500, 100), now: at(0))
        let head = scheduler.submit(job(500, 100), now: at(1)).id
        let (held, actions) = scheduler.submit(job(100, 400), now: at(2))
        #expect(actions == [])
        #expect(scheduler.tick(now: at(60)) == [.dispatch(head, to: "a", attempt: 1), .scheduleWakeup(at: at(120))])
        #expect(scheduler.tick(now: at(120)) == [.dispatch(held, to: "a", attempt: 1)])
    }

    @Test("A blocked job holds only the deployment it will fit on first")
    func claimsOnlyTheEarliestDeployment() throws {
        var configuration = SchedulerConfiguration.exact
        configuration.backfill = false
        var scheduler = try makeScheduler([server("a", tpm: 1_000), server("b", tpm: 1_000)], configuration: configuration)
        _ = scheduler.submit(job(500, 100), now: at(0))
        _ = scheduler.submit(job(500, 100), now: at(5))
        // Fits on a at 60 s, on b at 65 s: it holds a only.
        #expect(scheduler.submit(job(600, 100), now: at(10)).actions == [.scheduleWakeup(at: at(60))])
        let (small, actions) = scheduler.submit(job(200, 100), now: at(11))
        #expect(actions == [.dispatch(small, to: "b", attempt: 1)])
    }

    @Test("Lenient FIFO lets smaller jobs pass a blocked head, a bounded number of times")
    func lenientFIFOBoundsPassing() throws {
        var scheduler = try makeScheduler([server("a", tpm: 1_000)], queue: .fifoPassing)
        _ = scheduler.submit(job(500, 100), now: at(0))
        _ = scheduler.submit(job(500, 100), now: at(1))
        for second in 2 ..< 6 {
            let (small, actions) = scheduler.submit(job(50, 50), now: at(Double(second)))
            #expect(actions == [.dispatch(small, to: "a", attempt: 1)])
        }
        #expect(scheduler.submit(job(50, 50), now: at(6)).actions == [])
    }

    @Test("A retry goes to another deployment when one has room, else back to the same", arguments: AllocationKind.allCases)
    func retryPrefersAnotherDeployment(_ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a"), server("b")], allocation: allocation)
        let (id, first) = scheduler.submit(job(), now: at(0))
        guard case .dispatch(_, let failedOn, 1)? = first.first else { Issue.record("\(first)"); return }
        let other: DeploymentID = failedOn == "a" ? "b" : "a"
        #expect(scheduler.complete(id, outcome: .throttled(retryAfter: .seconds(30)), now: at(1)) == [.dispatch(id, to: other, attempt: 2)])
        let failure = AttemptOutcome.transientFailure(retryAfter: nil, message: "500")
        #expect(scheduler.complete(id, outcome: failure, now: at(2)) == [.scheduleWakeup(at: at(3))])
        // The first deployment is still blocked by its 429, so the retry takes the one it just failed on.
        #expect(scheduler.tick(now: at(3)) == [.dispatch(id, to: other, attempt: 3)])
    }

    @Test("A snapshot reports queue, in-flight work and each deployment's budget")
    func snapshotFigures() throws {
        var scheduler = try makeScheduler([server("a", rpm: 10, tpm: 5_000, concurrency: 1), server("b", rpm: 3, tpm: 900)])
        for _ in 0 ..< 4 { _ = scheduler.submit(job(200, 100), now: at(0)) }
        let snapshot = scheduler.snapshot(now: at(0))
        #expect(snapshot.queued == 0 && snapshot.inFlight == 4)
        #expect(snapshot.deployments.map(\.id) == ["a", "b"])
        #expect(snapshot.deployments.map(\.inFlight) == [1, 3])
        #expect(snapshot.deployments.map(\.remainingRequests) == [9, 0])
        #expect(snapshot.deployments.map(\.remainingTokens) == [4_700, 0])
        #expect(snapshot.counters.dispatched == 4)
    }
}

@Suite("Configuration errors")
struct ConfigurationErrorTests {
    @Test("A limit out of range is refused, naming the field and what to do")
    func limitsOutOfRange() {
        #expect(throws: HeadroomError(.invalidConfiguration, "Deployment 'a': requestsPerMinute is 0; it must be from 1 to 1,000,000,000,000 (the deployment's RPM quota).")) {
            try server("a", rpm: 0)
        }
        #expect(throws: HeadroomError(.invalidConfiguration, "Deployment 'a': tokensPerMinute is -5; it must be from 1 to 1,000,000,000,000 (the deployment's TPM quota).")) {
            try server("a", tpm: -5)
        }
        // Larger quotas would overflow the ledger's arithmetic.
        #expect(throws: HeadroomError(.invalidConfiguration,
                                      "Deployment 'a': tokensPerMinute is 9223372036854775807; it must be from 1 to 1,000,000,000,000 (the deployment's TPM quota).")) {
            try server("a", tpm: .max)
        }
        // The largest quota schedules: its first job goes at once.
        #expect(throws: Never.self) {
            var scheduler = try makeScheduler([try server("a", rpm: Deployment.largestQuota, tpm: Deployment.largestQuota)])
            let (id, actions) = scheduler.submit(job(), now: .zero)
            #expect(actions.first == .dispatch(id, to: "a", attempt: 1))
        }
        #expect(throws: HeadroomError(.invalidConfiguration, "Deployment 'a': maxConcurrency is 0; it must be at least 1, or nil for no cap.")) {
            try server("a", concurrency: 0)
        }
    }

    @Test("Duplicate deployment ids are refused")
    func duplicateIDs() throws {
        let a = try server("a")
        #expect(throws: HeadroomError(.invalidConfiguration, "Deployments 0 and 1 are both named 'a'; give each deployment a unique id.")) {
            try makeScheduler([a, a])
        }
    }

    @Test("A scheduler needs at least one deployment")
    func noDeployments() {
        #expect(throws: HeadroomError(.invalidConfiguration, "No deployments: give the scheduler at least one deployment to send requests to.")) {
            try makeScheduler([])
        }
    }

    @Test("Out-of-range scheduler settings are refused")
    func schedulerSettings() throws {
        var configuration = SchedulerConfiguration()
        configuration.targetUtilization = 1.5
        #expect(throws: HeadroomError(.invalidConfiguration, "SchedulerConfiguration: targetUtilization is 1.5; it must be in (0, 1].")) {
            try makeScheduler([server("a")], configuration: configuration)
        }
        configuration = SchedulerConfiguration()
        configuration.retry.maxAttempts = 0
        #expect(throws: HeadroomError(.invalidConfiguration, "RetryPolicy: maxAttempts is 0; it must be at least 1.")) {
            try makeScheduler([server("a")], configuration: configuration)
        }
    }

    @Test("A job with negative or absurd token counts is refused with the reason", arguments: [
        (-1, 10, "promptTokens is -1"), (10, Int.max, "maxOutputTokens is 9223372036854775807"), (1_000_000_000_001, 0, "promptTokens is 1000000000001"),
    ])
    func invalidJob(_ prompt: Int, _ output: Int, _ problem: String) throws {
        var scheduler = try makeScheduler([server("a")])
        let (id, actions) = scheduler.submit(job(prompt, output), now: at(0))
        #expect(actions == [.finish(id, .failed(HeadroomError(.invalidJob, "Job \(id.number): \(problem); it must be from 0 to 1,000,000,000,000.")), .unattempted)])
    }
}

@Suite("Allocation through the scheduler")
struct AllocationThroughSchedulerTests {
    @Test("Every policy spreads jobs over every deployment that has room", arguments: AllocationKind.allCases)
    func spreads(_ allocation: AllocationKind) throws {
        let deployments = try (0 ..< 4).map { try server(DeploymentID("d\($0)"), concurrency: 1) }
        var scheduler = try makeScheduler(deployments, allocation: allocation)
        var used: Set<DeploymentID> = []
        for _ in 0 ..< 4 {
            for case .dispatch(_, let deployment, _) in scheduler.submit(job(), now: at(0)).actions { used.insert(deployment) }
        }
        #expect(used == ["d0", "d1", "d2", "d3"])
    }
}

@Suite("Server budgets that come back at the reset")
struct StepRefillTests {
    @Test("A budget that returns all at once holds jobs until the reset, not a moment less")
    func stepRefillHoldsUntilReset() throws {
        var scheduler = try makeScheduler([server("a", tpm: 10_000)])
        let first = scheduler.submit(job(), now: at(0))
        // Observed when the server took the first request, at 0 s: full again at 4 s.
        let headers = RateLimitObservation(tokens: .init(remaining: 1_000, resetIn: .seconds(4)), refill: .atReset)
        _ = scheduler.complete(first.id, outcome: ok, rateLimits: headers, now: at(1))
        let (second, actions) = scheduler.submit(job(600, 600), now: at(2))
        #expect(actions == [.scheduleWakeup(at: at(4))])
        #expect(scheduler.tick(now: at(4)) == [.dispatch(second, to: "a", attempt: 1)])
    }
}
