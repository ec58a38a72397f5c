import Foundation
import HeadroomCore
import Testing
@testable import HeadroomSimulator

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

    @Test("Below capacity the bound is what was offered, and everything is served at once")
    func underloaded() throws {
        let simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: .openAI(requestsPerMinute: 100, tokensPerMinute: 100_000))], seed: 1)
        var workload = ListWorkload(requests: (0 ..< 10).map { request(100, 100, at: Double($0)) })
        let report = try simulation.run(&workload, strategy: .headroom())
        #expect(report.capacity.boundTokens == 2_000 && report.capacity.servedTokens == 2_000 && report.capacity.efficiency == 1)
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
        ("{\"deployments\": [{\"id\": \"a\", \"provider\": \"gcp\", \"tokensPerMinute\": 5}]}", "deployments[0].provider is 'gcp'; use \"azure\" or \"openai\"."),
        ("{\"deployments\": [{\"id\": \"a\", \"provider\": \"azure\", \"tokensPerMinute\": \"lots\"}]}", "deployments[0].tokensPerMinute: expected a Int."),
        ("{\"deployments\": [], \"headroom\": {\"queue\": \"lifo\"}}", "headroom.queue is 'lifo'; use \"fifo\" or \"priority\"."),
        ("{\"deployments\": [], \"headroom\": {\"targetUtilization\": 2}}", "headroom: SchedulerConfiguration: targetUtilization is 2.0; it must be in (0, 1]."),
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

    @Test("A simulation with no deployments, or two of one name, is refused")
    func badDeployments() {
        #expect(errorMessage { () throws(HeadroomError) in _ = try Simulation(deployments: [], seed: 1) } == "No deployments: a simulation needs at least one.")
        let twin = SimulatedDeployment(id: "a", endpoint: .azure(tokensPerMinute: 1_000))
        #expect(errorMessage { () throws(HeadroomError) in _ = try Simulation(deployments: [twin, twin], seed: 1) }
            == "Two deployments are named 'a'; give each a unique id.")
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
}

func examplePath() -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/scenario.json").path
}

func failure(_ action: SchedulerAction?) -> HeadroomError? {
    if case .finish(_, .failed(let error))? = action { return error }
    return nil
}
