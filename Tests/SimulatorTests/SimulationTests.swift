import Foundation
import HeadroomCore
import Testing
@testable import HeadroomSimulator

/// A 1,000-token Azure endpoint, changed.
func azure(_ change: (inout EndpointModel) -> Void) -> EndpointModel {
    var endpoint = EndpointModel.azure(tokensPerMinute: 1_000)
    change(&endpoint)
    return endpoint
}

/// The default Headroom settings, changed.
func settings(_ change: (inout HeadroomSettings) -> Void) -> HeadroomSettings {
    var settings = HeadroomSettings()
    change(&settings)
    return settings
}

/// A workload from a list.
struct ListWorkload: WorkloadSource {
    var requests: [SimulatedRequest]
    mutating func next() -> SimulatedRequest? { requests.isEmpty ? nil : requests.removeFirst() }
}

@Suite("Simulation")
struct SimulationTests {
    @Test("Bound and efficiency on a hand-computed case")
    func handComputedBound() throws {
        // 6,000 tokens a minute on Azure: 1,000 per 10 s. Twenty 500-token requests at 0 s, one at 60 s.
        // The bound by 60 s: one 10-second share (1,000) plus a minute's rate (6,000) = 7,000 tokens.
        // Headroom sends two every 10 s from 0 s to 60 s: 14 requests, 7,000 tokens, no 429.
        var endpoint = EndpointModel.azure(tokensPerMinute: 6_000)
        endpoint.latency.jitter = 0
        let simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: endpoint)], seed: 1)
        var workload = ListWorkload(requests: Array(repeating: request(400, 100), count: 20) + [request(400, 100, at: 60)])
        let report = try simulation.run(&workload, strategy: .headroom())
        #expect(report.capacity.offeredTokens == 10_500 && report.capacity.boundTokens == 7_000)
        #expect(report.capacity.boundRequests == 21 && report.capacity.binding == "tokens")
        #expect(report.capacity.servedTokens == 7_000 && report.capacity.servedRequests == 14)
        #expect(report.capacity.efficiency == 1)
        #expect(report.goodputTokensPerMinute == 14 * 500)
        #expect(report.requests.succeeded == 21 && report.upstream.throttled == 0 && report.upstream.attempts == 21)
    }

    @Test("A model no deployment serves is served by no strategy: Headroom refuses it, the baselines get 404s", arguments: [Strategy.headroom(), .naiveRetry, .shuffleCooldown, .tokenBucket])
    func unservedModel(_ strategy: Strategy) throws {
        let simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", models: ["gpt-4o"], endpoint: .azure(tokensPerMinute: 100_000))], seed: 1)
        var workload = ListWorkload(requests: [request(100, 100, at: 0), SimulatedRequest(arrival: .seconds(1), promptTokens: 100, maxTokens: 100, outputTokens: 100, model: "gpt-9")])
        let report = try simulation.run(&workload, strategy: strategy)
        #expect(report.requests.succeeded == 1 && report.requests.failed.values.reduce(0, +) == 1)
    }

    @Test("Below capacity the bound is what was offered, and everything is served at once")
    func underloaded() throws {
        let simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: .openAI(requestsPerMinute: 100, tokensPerMinute: 100_000))], seed: 1)
        var workload = ListWorkload(requests: (0 ..< 10).map { request(100, 100, at: Double($0)) })
        let report = try simulation.run(&workload, strategy: .headroom())
        // OpenAI charges the larger of prompt and max_tokens: 100 a request, in the bound as at the provider.
        #expect(report.capacity.boundTokens == 1_000 && report.capacity.servedTokens == 1_000 && report.capacity.efficiency == 1)
        #expect(report.queueWait.max == 0)
    }

    @Test("The same seed gives the same report, byte for byte; another seed another")
    func deterministic() throws {
        var scenario = try Scenario.load(path: examplePath())
        scenario.workload = .synthetic(SyntheticWorkload(count: 3_000, requestsPerSecond: 15, arrivals: .bursty(meanOn: 10, meanOff: 10), seed: 5),
                                       transform: WorkloadTransform())
        let first = try ScenarioReport(scenario: scenario.name, seed: scenario.seed, runs: scenario.run()).json()
        let second = try ScenarioReport(scenario: scenario.name, seed: scenario.seed, runs: scenario.run()).json()
        #expect(first == second)
        scenario.seed = 8
        let other = try ScenarioReport(scenario: scenario.name, seed: scenario.seed, runs: scenario.run()).json()
        #expect(first != other)
    }

    @Test("On the built-in Azure scenario Headroom serves 95 % of the bound, under 1 % 429s, and beats every baseline")
    func builtInScenario() throws {
        let reports = try Scenario.builtIn().run()
        let headroom = reports[0]
        #expect(headroom.capacity.efficiency >= 0.95)
        #expect(headroom.upstream.throttleRate < 0.01)
        #expect(headroom.requests.succeeded == headroom.requests.offered)
        for baseline in reports.dropFirst() {
            #expect(headroom.goodputTokensPerMinute > baseline.goodputTokensPerMinute, "\(baseline.strategy)")
            #expect(headroom.upstream.throttleRate < baseline.upstream.throttleRate, "\(baseline.strategy)")
        }
    }

    @Test("With other clients on the quota Headroom still serves everything, with far fewer 429s than naive retry")
    func sharedQuota() throws {
        var endpoint = EndpointModel.azure(tokensPerMinute: 60_000)
        endpoint.faults.backgroundTokensPerMinute = 20_000
        let simulation = try Simulation(deployments: [SimulatedDeployment(id: "shared", endpoint: endpoint)], seed: 3)
        var workload = SyntheticWorkload(count: 1_500, requestsPerSecond: 1, seed: 3)
        let headroom = try simulation.run(&workload, strategy: .headroom())
        workload = SyntheticWorkload(count: 1_500, requestsPerSecond: 1, seed: 3)
        let naive = try simulation.run(&workload, strategy: .naiveRetry)
        #expect(headroom.requests.succeeded == 1_500)
        #expect(headroom.upstream.throttleRate < 0.10 && headroom.upstream.throttleRate < naive.upstream.throttleRate / 4,
                "\(headroom.upstream.throttleRate) vs \(naive.upstream.throttleRate)")
    }

    @Test("The example scenario loads with every field")
    func exampleScenario() throws {
        let scenario = try Scenario.load(path: examplePath())
        #expect(scenario.seed == 7 && scenario.deployments.map(\.id) == ["azure-eastus", "azure-swedencentral", "openai"])
        #expect(scenario.deployments[0].endpoint.requestsPerMinute == 900 && scenario.deployments[1].endpoint.requestsPerMinute == 720)
        #expect(scenario.deployments[0].endpoint.faults.backgroundTokensPerMinute == 20_000)
        #expect(scenario.deployments[2].maxConcurrency == 64 && scenario.deployments[2].endpoint.limiter == .openAI)
        #expect(scenario.headroom.queue == .priority(agingSeconds: 30) && scenario.headroom.configuration.targetUtilization == 0.97)
        #expect(scenario.baselines == Strategy.baselines)
    }

    @Test("A bad scenario file is an error naming the field", arguments: [
        ("{\"deployments\": [{\"id\": \"a\", \"provider\": \"azure\"}]}", "deployments[0]: the field \"tokensPerMinute\" is missing."),
        ("{\"deployments\": [{\"id\": \"a\", \"provider\": \"gcp\", \"tokensPerMinute\": 5}]}", "deployments[0].provider is 'gcp'; use \"anthropic\", \"azure\", \"openai\" or \"openai-compatible\"."),
        ("{\"deployments\": [{\"id\": \"a\", \"provider\": \"azure\", \"tokensPerMinute\": \"lots\"}]}", "deployments[0].tokensPerMinute: expected a whole number."),
        ("{\"deployments\": [{\"id\": \"a\", \"provider\": \"azure\", \"tokensPerMinute\": 5, \"weight\": \"x\"}]}", "deployments[0].weight: expected a number."),
        ("{\"deployments\": [{\"id\": \"a\", \"provider\": \"azure\", \"tokensPerMinute\": 5, \"maxConcurrency\": 2.5}]}",
         "deployments[0].maxConcurrency is 2.5; it must be a whole number."),
        ("{\"deployments\": [{\"id\": \"a\", \"provider\": \"azure\", \"tokensPerMinute\": 1e300}]}",
         "deployments[0].tokensPerMinute is 1e+300; that is too large for a whole number here."),
        ("{\"deployments\": [], \"seed\": -1}", "seed is -1; it must be from 0 to 18,446,744,073,709,551,615."),
        ("{\"deployments\": [], \"workload\": {\"priorities\": [0, 0.5]}}", "workload.priorities[1] is 0.5; it must be a whole number."),
        ("{\"deployments\": [], \"workload\": {\"maxTokensFactor\": 1e300}}", "workload.maxTokensFactor is 1e+300; it must be from 1 to 100."),
        ("{\"deployments\": [], \"workload\": {\"maxTokens\": 0}}", "workload.maxTokens is 0; it must be from 1 to 10,000,000."),
        ("{\"deployments\": [], \"workload\": {\"timeScale\": 1e-300}}",
         "workload: timeScale is 1e-300; it must be from 0.001 to 1,000."),
        ("{\"deployments\": [], \"workload\": {\"endSeconds\": 1e300}}",
         "workload: endSeconds is 1e+300; it must be from 0 to 1,000,000,000 (about 31 years)."),
        ("{\"deployments\": [], \"workload\": {\"synthetic\": {\"count\": 5, \"requestsPerSecond\": 0}}}",
         "workload.synthetic.requestsPerSecond is 0.0; it must be above 0 and at most 1,000,000."),
        ("{\"deployments\": [], \"workload\": {\"synthetic\": {\"count\": 5, \"requestsPerSecond\": 1, \"burstOnSeconds\": -1, \"burstOffSeconds\": 1}}}",
         "workload.synthetic.burstOnSeconds is -1.0; it must be from 0.001 to 1,000,000 seconds."),
        ("{\"deployments\": [], \"workload\": {\"synthetic\": {\"count\": 5, \"requestsPerSecond\": 1, \"burstOnSeconds\": 2}}}",
         "workload.synthetic gives only one of burstOnSeconds and burstOffSeconds; give both for bursty arrivals, or neither."),
        ("{\"deployments\": [], \"scheduler\": {\"maxQueueWaitSeconds\": 1e300}}",
         "scheduler.maxQueueWaitSeconds is 1e+300; it must be above 0 and at most 10,000,000 (about four months), or left out."),
        ("{\"deployments\": [], \"scheduler\": {\"queue\": \"priority\", \"agingSeconds\": -5}}",
         "scheduler.agingSeconds is -5.0; it must be from 0 (strict priority) to 10,000,000 (about four months)."),
        ("{\"deployments\": [], \"scheduler\": {\"queue\": \"lifo\"}}", "scheduler.queue is 'lifo'; use \"fair\", \"fifo\" or \"priority\"."),
        // Refused, not trapped on: the interval becomes a duration only once checked.
        ("{\"deployments\": [], \"scheduler\": {\"queue\": \"priority\", \"agingSeconds\": 1e300}}",
         "scheduler.agingSeconds is 1e+300; it must be from 0 (strict priority) to 10,000,000 (about four months)."),
        ("{\"deployments\": [], \"scheduler\": {\"targetUtilization\": 2}}", "scheduler.targetUtilization is 2.0; it must be in (0, 1]."),
        ("{\"deployments\": [], \"headroom\": {\"queue\": \"fifo\"}}",
         "unknown field \"headroom\"; the scheduler's settings are in \"scheduler\" (see Docs/configuration.md)."),
        ("{\"deployments\": [], \"port\": 8080}", "unknown field \"port\"; it belongs in the \"gateway\" section (see Docs/configuration.md)."),
        ("{\"deployments\": [], \"workload\": {\"synthetic\": {\"count\": 5, \"requestsPerSecond\": 1, \"promptMedian\": -3}}}",
         "workload.synthetic.promptMedian is -3.0; it must be above 0 and below 1e9."),
        ("{\"deployments\": [], \"workload\": {\"synthetic\": {\"count\": 5, \"requestsPerSecond\": 1, \"outputSigma\": 900}}}",
         "workload.synthetic.outputSigma is 900.0; it must be from 0 to 10."),
    ])
    func badScenario(_ json: String, _ problem: String) {
        withTemporaryFile(json, suffix: ".json") { path in
            #expect(errorMessage { () throws(HeadroomError) in _ = try Scenario.load(path: path) } == "\(path): \(problem)")
        }
    }

    @Test("A scenario file that is not JSON says where")
    func notJSON() {
        withTemporaryFile("{\n\"seed\": 1,\n\"deployments\": [x]}", suffix: ".json") { path in
            let message = errorMessage { () throws(HeadroomError) in _ = try Scenario.load(path: path) } ?? ""
            #expect(message.hasPrefix("\(path): the file is not valid JSON"))
            #if os(Linux)
            #expect(message == "\(path): the file is not valid JSON at line 3: Invalid value around character 29.")
            #endif
        }
    }

    @Test("A deployment the mock cannot model is refused, naming the figure", arguments: [
        (azure { $0.tokensPerMinute = .max },
         "tokensPerMinute is 9223372036854775807; it must be from 1 to 1,000,000,000,000."),
        (azure { $0.limiter = .azure(subWindowSeconds: 1e-300) }, "the Azure sub-window is 1e-300 s; it must be from 0.001 to 60 seconds (Azure uses 1 or 10)."),
        (azure { $0.latency.firstTokenSeconds = 1e300 }, "latency firstTokenSeconds is 1e+300; it must be from 0 to 3,600 seconds."),
        (azure { $0.latency.perOutputTokenSeconds = .nan }, "latency perOutputTokenSeconds is nan; it must be from 0 to 60 seconds."),
        (azure { $0.latency.slowdownPerInFlight = 1e18 }, "latency slowdownPerInFlight is 1e+18; it must be from 0 to 100 (a share per request in flight)."),
        (azure { $0.faults.timeoutSeconds = 1e18 }, "timeoutSeconds is 1e+18; it must be above 0 and at most 86,400 (a day)."),
        (azure { $0.faults.backgroundRequestTokens = 0 }, "backgroundRequestTokens is 0.0; it must be from 1 to 1,000,000,000."),
        (azure { $0.faults.backgroundTokensPerMinute = 1e300 },
         "background traffic is 1e+297 requests a minute (backgroundTokensPerMinute / backgroundRequestTokens); it must be 0 or from 0.001 to 1,000,000."),
    ])
    func badEndpoint(_ endpoint: EndpointModel, _ problem: String) {
        #expect(errorMessage { () throws(HeadroomError) in _ = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: endpoint)], seed: 1) }
            == "Deployment 'a': \(problem)")
    }

    @Test("Headroom settings out of range are refused before the run", arguments: [
        (settings { $0.tokenLimitScale = 1e300 }, "tokenLimitScale is 1e+300; it must be above 0 and at most 1,000."),
        (settings { $0.queue = .fifoPassing(-1) }, "the FIFO pass limit is -1; it must be 0 or more."),
        (settings { $0.queue = .priority(agingSeconds: .infinity) },
         "agingSeconds is inf; it must be above 0 and at most 10,000,000 (about four months), or left out for strict priority."),
        (settings { $0.configuration.lookahead = 0 }, "SchedulerConfiguration: lookahead is 0; it must be at least 1."),
    ])
    func badSettings(_ settings: HeadroomSettings, _ problem: String) throws {
        let simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: .azure(tokensPerMinute: 1_000))], seed: 1)
        var workload = ListWorkload(requests: [request(10, 10)])
        #expect(errorMessage { () throws(HeadroomError) in _ = try simulation.run(&workload, strategy: .headroom(settings)) }
            == "Headroom settings: \(problem)")
    }

    @Test("A run longer than the timeline holds is an error, not a report of unbounded size")
    func timelineOverrun() throws {
        // 10,000,000 output tokens at 60 s each: the answer comes some 19 years later, past 100,000 buckets of 10 s.
        var endpoint = EndpointModel.azure(tokensPerMinute: 100_000_000)
        endpoint.latency.perOutputTokenSeconds = 60
        let simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: endpoint)], seed: 1)
        var workload = ListWorkload(requests: [request(10, 10_000_000)])
        let message = errorMessage { () throws(HeadroomError) in _ = try simulation.run(&workload, strategy: .naiveRetry) } ?? ""
        #expect(message.hasPrefix("The run lasted "))
        #expect(message.hasSuffix(" s of simulated time, more than the report's timeline holds (100,000 buckets of 10.0 seconds). "
            + "Give a wider bucket (bucketSeconds), or look in the workload for a request whose size or latency is out of all proportion."))
        // The same run with day-long buckets fits.
        let daily = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: endpoint)], seed: 1, bucket: .seconds(86_400))
        var again = ListWorkload(requests: [request(10, 10_000_000)])
        #expect(try daily.run(&again, strategy: .naiveRetry).requests.succeeded == 1)
    }

    @Test("A simulation with no deployments, two of one name or a bucket out of range is refused")
    func badDeployments() {
        #expect(errorMessage { () throws(HeadroomError) in _ = try Simulation(deployments: [], seed: 1) } == "No deployments: a simulation needs at least one.")
        let twin = SimulatedDeployment(id: "a", endpoint: .azure(tokensPerMinute: 1_000))
        #expect(errorMessage { () throws(HeadroomError) in _ = try Simulation(deployments: [twin, twin], seed: 1) }
            == "Two deployments are named 'a'; give each a unique id.")
        let deployment = SimulatedDeployment(id: "a", endpoint: .azure(tokensPerMinute: 1_000))
        #expect(errorMessage { () throws(HeadroomError) in _ = try Simulation(deployments: [deployment], seed: 1, bucket: .milliseconds(1)) }
            == "The timeline bucket is 0.001 seconds; it must be from 0.1 seconds to a day.")
    }
}

@Suite("Baselines")
struct BaselineTests {
    @Test("Naive retry retries the same deployment after the retry-after, twice at most")
    func naiveRetry() {
        var client = NaiveRetryClient(deployments: ["a", "b"], seed: 1)
        let (id, first) = client.submit(Job(model: "m", promptTokens: 1, maxOutputTokens: 1), now: .zero)
        #expect(first == [.dispatch(id, to: "a", attempt: 1)])
        #expect(client.complete(id, outcome: .throttled(retryAfter: .seconds(3)), rateLimits: nil, now: .seconds(1)) == [.scheduleWakeup(at: .seconds(4))])
        #expect(client.tick(now: .seconds(4)) == [.dispatch(id, to: "a", attempt: 2)])
        _ = client.complete(id, outcome: .throttled(retryAfter: .seconds(1)), rateLimits: nil, now: .seconds(5))
        #expect(client.tick(now: .seconds(6)) == [.dispatch(id, to: "a", attempt: 3)])
        let last = client.complete(id, outcome: .throttled(retryAfter: .seconds(1)), rateLimits: nil, now: .seconds(7))
        #expect(last.count == 1 && failure(last.first)?.kind == .attemptsExhausted)
    }

    @Test("Shuffle with cooldown fails at once when every deployment cools down")
    func shuffleCooldown() {
        var client = ShuffleCooldownClient(deployments: ["a"], weights: [1], seed: 1)
        let (id, first) = client.submit(Job(model: "m", promptTokens: 1, maxOutputTokens: 1), now: .zero)
        #expect(first == [.dispatch(id, to: "a", attempt: 1)])
        _ = client.complete(id, outcome: .throttled(retryAfter: nil), rateLimits: nil, now: .seconds(1))
        let (other, refused) = client.submit(Job(model: "m", promptTokens: 1, maxOutputTokens: 1), now: .seconds(2))
        #expect(refused.count == 1 && failure(refused.first)?.kind == .unservable)
        #expect(client.submit(Job(model: "m", promptTokens: 1, maxOutputTokens: 1), now: .seconds(6)).actions.first == .dispatch(JobID(rawValue: other.rawValue + 1), to: "a", attempt: 1))
    }

    @Test("The token bucket spends a full minute's bucket in one burst")
    func tokenBucketBursts() {
        var client = TokenBucketClient(deployments: ["a"], requestsPerMinute: [1_000], tokensPerMinute: [6_000])
        var dispatched = 0
        for _ in 0 ..< 10 {
            dispatched += client.submit(Job(model: "m", promptTokens: 900, maxOutputTokens: 100), now: .zero).actions.filter {
                if case .dispatch = $0 { true } else { false }
            }.count
        }
        #expect(dispatched == 6)
    }

    @Test("The token bucket fails at once a request no bucket can hold, rather than wait for ever")
    func tokenBucketOversized() {
        var client = TokenBucketClient(deployments: ["a", "b"], requestsPerMinute: [1_000, 1_000], tokensPerMinute: [6_000, 8_000])
        let (id, actions) = client.submit(Job(model: "m", promptTokens: 8_000, maxOutputTokens: 1), now: .zero)
        #expect(actions == [.finish(id, .failed(HeadroomError(.unservable, "Job \(id.number) is charged 8001 tokens, more than any deployment's token bucket holds.")), .unattempted)])
        #expect(client.submit(Job(model: "m", promptTokens: 7_999, maxOutputTokens: 1), now: .zero).actions.count == 1)
    }
}

func examplePath() -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/scenario.json").path
}

func failure(_ action: SchedulerAction?) -> HeadroomError? {
    if case .finish(_, .failed(let error), _)? = action { return error }
    return nil
}
