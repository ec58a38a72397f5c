import Foundation
import HeadroomConfiguration
import HeadroomCore
import Testing
@testable import HeadroomSimulator

/// A request of 400 prompt tokens and 100 output tokens at `seconds`, accepting batch or not, with a deadline or not.
private func request(at seconds: Double, batch: Bool? = true, tenant: String? = nil, deadline: Double? = nil) -> SimulatedRequest {
    var request = SimulatedRequest(arrival: .seconds(seconds), promptTokens: 400, maxTokens: 100, outputTokens: 100, tenant: tenant)
    request.batch = batch
    request.deadline = deadline.map { .seconds($0) }
    return request
}

/// One Azure deployment of 60,000 tokens a minute, exact latency, and batch deployment "b" playing `model` under `rules`.
private func simulation(_ model: BatchEndpointModel, rules: BatchRules = BatchRules()) throws -> Simulation {
    var endpoint = EndpointModel.azure(tokensPerMinute: 60_000)
    endpoint.latency.jitter = 0
    var batch = SimulatedDeployment(id: "b", endpoint: .openAI(requestsPerMinute: 1_000, tokensPerMinute: 1_000_000))
    batch.batch = .init(model: model, rules: rules)
    var simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: endpoint), batch], seed: 1)
    simulation.prices = PriceTable(["gpt-4o": Price(inputPerMillion: 2.5, outputPerMillion: 10)])
    return simulation
}

/// A model whose batches take exactly `seconds`.
private func exactly(_ seconds: Double, maxEnqueuedTokens: Int = 1_000_000, failureRate: Double = 0, expiryRate: Double = 0) -> BatchEndpointModel {
    BatchEndpointModel(maxEnqueuedTokens: maxEnqueuedTokens, turnaround: TurnaroundModel(medianSeconds: seconds, p99Seconds: seconds),
                       failureRate: failureRate, expiryRate: expiryRate)
}

private func rules(maxAge: Double = 60, poll: Double = 60, grace: Double = 86_400) -> BatchRules {
    var rules = BatchRules()
    rules.maxAge = .seconds(maxAge)
    rules.pollInterval = .seconds(poll)
    rules.maxPollInterval = .seconds(poll)
    rules.gracePeriod = .seconds(grace)
    rules.cancelWait = .seconds(60)
    return rules
}

private func run(_ simulation: Simulation, _ requests: [SimulatedRequest]) throws -> SimulationReport {
    var workload = ListWorkload(requests: requests)
    return try simulation.run(&workload, strategy: .headroom())
}

@Suite("Batch deployments in the simulator")
struct SimulatedBatchTests {
    @Test("Deferrable requests go in one file by its age, are answered when the batch is polled done, at half price")
    func answeredFromBatch() throws {
        // Three deferrable requests at 0, 10, 20 s: one file at 60 s (its first request's age), done at 660 s,
        // seen by the poll then (60 s after submission, then every 60 s). One urgent request goes synchronously.
        let report = try run(try simulation(exactly(600), rules: rules()), [request(at: 0), request(at: 10), request(at: 20), request(at: 30, batch: nil)])
        let batch = try #require(report.batch)
        #expect(batch.statistics.formed == 1 && batch.statistics.submitted == 1 && batch.statistics.completed == 1)
        #expect(batch.statistics.answered == 3 && batch.statistics.resent == 0 && batch.statistics.largestRequests == 3)
        #expect(batch.statistics.turnaroundP50Seconds == 600)
        #expect(batch.deferrableLatency.count == 3 && batch.deferrableLatency.max == 660 && batch.deferrableLatency.p50 == 650)
        #expect(batch.urgentLatency.count == 1 && batch.urgentLatency.max < 10)
        #expect(report.deployments.map(\.attempts) == [1, 3] && report.deployments[1].succeeded == 3)
        let cost = try #require(report.cost)
        // 400 prompt and 100 output tokens: 0.002 at full price, 0.001 batched.
        #expect(cost.total.requests == 4 && cost.total.batched == 3)
        #expect(abs(cost.total.cost - 0.005) < 1e-12 && abs(cost.total.batchSaving - 0.003) < 1e-12)
        #expect(cost.models["gpt-4o"]?.requests == 4 && cost.deployments["b"]?.batched == 3 && cost.tenants.isEmpty)
    }

    @Test("With batch routing off every request goes synchronously, and nothing is batched")
    func routingOff() throws {
        var simulation = try simulation(exactly(600), rules: rules())
        simulation.batchRouting = false
        let report = try run(simulation, [request(at: 0), request(at: 10)])
        #expect(report.batch?.statistics.submitted == 0 && report.deployments.map(\.attempts) == [2, 0])
        #expect(report.batch?.deferrableLatency.count == 2 && report.cost?.total.batched == 0)
    }

    @Test("A failed batch sends its requests synchronously")
    func failedBatchResends() throws {
        let report = try run(try simulation(exactly(600, failureRate: 1), rules: rules()), [request(at: 0), request(at: 1)])
        let batch = try #require(report.batch)
        #expect(report.requests.succeeded == 2 && report.deployments[0].attempts == 2)
        #expect(batch.statistics.failed == 1 && batch.statistics.submitted == 1 && batch.statistics.resent == 2)
    }

    @Test("The enqueued-token quota holds a request back until a batch ends: never more enqueued than the quota")
    func quotaHoldsRequests() throws {
        // 400 prompt tokens each under a quota of 500: the second waits for the first's batch (done at 660 s, its file at 60 s),
        // then forms its own file, which goes 60 s later.
        let report = try run(try simulation(exactly(600, maxEnqueuedTokens: 500), rules: rules()), [request(at: 0), request(at: 1)])
        let batch = try #require(report.batch)
        #expect(batch.statistics.formed == 2 && batch.statistics.completed == 2 && batch.statistics.answered == 2)
        #expect(batch.deferrableLatency.max == 1_319)
    }

    @Test("A batch not done by the end of its grace period is cancelled: what it served is answered, the rest resent")
    func graceCancels() throws {
        // 10 requests, each its own file (no age), in batches of 1,000 s: cancelled at the grace period's end (300 s),
        // with none of their one request served by then; all go synchronously.
        let report = try run(try simulation(exactly(1_000), rules: rules(maxAge: 0, poll: 60, grace: 300)),
                             (0 ..< 10).map { _ in request(at: 0) })
        let batch = try #require(report.batch)
        #expect(batch.statistics.formed == 10)
        #expect(batch.statistics.cancelled == 10 && batch.statistics.answered == 0 && batch.statistics.resent == 10)
        #expect(report.requests.succeeded == 10 && report.deployments[0].attempts == 10)
    }

    @Test("An expired batch serves the first part of its file; the rest go synchronously")
    func expiredServesPart() throws {
        let report = try run(try simulation(exactly(600, expiryRate: 1), rules: rules()), (0 ..< 20).map { request(at: Double($0)) })
        let batch = try #require(report.batch)
        #expect(batch.statistics.expired == 1 && batch.statistics.answered + batch.statistics.resent == 20)
        #expect(report.deployments[0].attempts == batch.statistics.resent && report.requests.succeeded == 20)
    }

    @Test("A tenant set to batch sends its requests there unless one says otherwise")
    func tenantSetting() throws {
        var simulation = try simulation(exactly(600), rules: rules())
        simulation.batchTenants = ["reports"]
        let report = try run(simulation, [request(at: 0, batch: nil, tenant: "reports"), request(at: 1, batch: false, tenant: "reports"),
                                          request(at: 2, batch: nil, tenant: "ui")])
        #expect(report.deployments.map(\.attempts) == [2, 1])
    }

    @Test("Routing by deadline: a deadline that leaves the expected turnaround goes to batch, a shorter one or routing off goes synchronously",
          arguments: [true, false])
    func routesByDeadline(byDeadline: Bool) throws {
        var rules = rules()
        rules.expectedTurnaround = .seconds(3_600)
        var simulation = try simulation(exactly(600), rules: rules)
        simulation.batchByDeadline = byDeadline
        let report = try run(simulation, [request(at: 0, batch: nil, deadline: 3_600), request(at: 1, batch: nil, deadline: 3_599),
                                          request(at: 2, batch: false, deadline: 86_400), request(at: 3, batch: nil)])
        #expect(report.deployments.map(\.attempts) == (byDeadline ? [3, 1] : [4, 0]))
        #expect(report.requests.succeeded == 4)
    }

    @Test("A request still queued at its deadline fails as the gateway fails it; a deadline counts within the request time-out")
    func deadlinesEndWaits() throws {
        // 60,000 tokens a minute, 500 tokens a request: 100 at once, with 30 s to be answered, or with a day and a 30 s time-out.
        var simulation = try simulation(exactly(600), rules: rules())
        let plain = try run(simulation, (0 ..< 100).map { _ in request(at: 0, batch: nil, deadline: 30) })
        simulation.requestTimeout = .seconds(30)
        let timedOut = try run(simulation, (0 ..< 100).map { _ in request(at: 0, batch: nil, deadline: 86_400) })
        for report in [plain, timedOut] {
            #expect(report.requests.succeeded == 60 && report.requests.failed == [HeadroomError.Kind.deadlineExceeded.name: 40])
            #expect(report.requests.succeeded + (report.requests.failed.values.reduce(0, +)) == 100)
        }
        // A request that accepts batch may wait its batch's grace period and cancel wait too.
        let batched = try run(simulation, [request(at: 0, deadline: 86_400)])
        #expect(batched.requests.succeeded == 1 && batched.batch?.statistics.answered == 1)
    }

    @Test("An attempt still under way at its request's deadline is abandoned then, as the engine's watchdog abandons it")
    func deadlineAbandonsAttempt() throws {
        // 100 output tokens take longer than a second; the deadline is half a second.
        let report = try run(try simulation(exactly(600), rules: rules()), [request(at: 0, batch: nil, deadline: 0.5), request(at: 1, batch: nil)])
        #expect(report.requests.succeeded == 1 && report.requests.failed == [HeadroomError.Kind.deadlineExceeded.name: 1])
        #expect(report.deployments[0].attempts == 2)
        #expect(report.latency.max > 1)
    }

    @Test("Same seed, same report, with batch deployments that fail and expire at random")
    func deterministic() throws {
        let model = BatchEndpointModel(maxEnqueuedTokens: 1_000_000, failureRate: 0.2, expiryRate: 0.2)
        let requests = (0 ..< 500).map { request(at: Double($0) * 0.7, batch: $0 % 3 == 0 ? nil : true) }
        let first = try run(try simulation(model, rules: rules(maxAge: 30, poll: 60, grace: 3_000)), requests)
        let second = try run(try simulation(model, rules: rules(maxAge: 30, poll: 60, grace: 3_000)), requests)
        #expect(first == second)
        #expect(first.requests.succeeded == 500)
    }

    @Test("The mock batch endpoint fails a batch that would pass its enqueued-token quota, and frees what ended")
    func mockQuota() {
        var endpoint = MockBatchEndpoint(model: exactly(100, maxEnqueuedTokens: 1_000), seed: 1)
        let first = endpoint.create(requests: 2, promptTokens: 800, now: .zero)
        let second = endpoint.create(requests: 1, promptTokens: 300, now: .seconds(1))
        #expect(endpoint.state(of: second, at: .seconds(10)).status == .failed)
        #expect(endpoint.state(of: second, at: .seconds(10)).problem?.hasPrefix("token_limit_exceeded") == true)
        #expect(endpoint.enqueuedTokens(at: .seconds(50)) == 800)
        #expect(endpoint.state(of: first, at: .seconds(100)).status == .completed && endpoint.enqueuedTokens(at: .seconds(100)) == 0)
        let third = endpoint.create(requests: 1, promptTokens: 300, now: .seconds(101))
        #expect(endpoint.state(of: third, at: .seconds(150)).status == .inProgress)
        endpoint.cancel(third, at: .seconds(150))
        #expect(endpoint.state(of: third, at: .seconds(150.5)).status == .cancelling)
        #expect(endpoint.state(of: third, at: .seconds(152)).status == .cancelled)
    }
}

/// Batch settings in a configuration, checked.
@Suite("Batch configuration")
struct BatchConfigurationTests {
    func scenario(_ deployment: String) -> HeadroomError? {
        let json = #"{"deployments": [{"id": "a", "provider": "azure", "tokensPerMinute": 60000}, \#(deployment)]}"#
        do {
            _ = try Scenario(configuration: try HeadroomConfiguration.decode(Data(json.utf8)))
            return nil
        } catch {
            return error
        }
    }

    @Test("A batch deployment needs its quota, a provider with a Batch API, and rules in range", arguments: [
        (#"{"id": "b", "provider": "openai", "kind": "batch"}"#, "Deployment 'b': a batch deployment needs \"maxEnqueuedTokens\", its enqueued-token quota."),
        (#"{"id": "b", "provider": "anthropic", "kind": "batch", "maxEnqueuedTokens": 5, "outputTokensPerMinute": 5}"#,
         "Deployment 'b': provider 'anthropic' has no Batch API here; a batch deployment is \"openai\" or \"azure\"."),
        (#"{"id": "b", "provider": "openai", "tokensPerMinute": 5, "batch": {"maxAgeSeconds": 5}}"#,
         "Deployment 'b': a \"batch\" section needs \"kind\": \"batch\"."),
        (#"{"id": "b", "provider": "openai", "kind": "batch", "maxEnqueuedTokens": 5, "batch": {"maxRequests": 0}}"#,
         "Deployment 'b': batch.maxRequests is 0; it must be from 1 to 100,000."),
        (#"{"id": "b", "provider": "openai", "kind": "batch", "maxEnqueuedTokens": 5, "batch": {"graceSeconds": -1}}"#,
         "Deployment 'b': batch.graceSeconds is -1.0; it must be from 0 to 604,800 (a week)."),
        (#"{"id": "b", "provider": "openai", "kind": "batch", "maxEnqueuedTokens": 5, "batch": {"failureRate": 2}}"#,
         "Deployment 'b': batch.failureRate is 2.0; it must be from 0 to 1."),
    ])
    func checks(deployment: String, message: String) throws {
        let error = try #require(scenario(deployment))
        #expect(error.message.hasSuffix(message))
    }

    @Test("A batch deployment may leave out its per-minute quotas")
    func noPerMinuteQuota() throws {
        #expect(scenario(#"{"id": "b", "provider": "openai", "kind": "batch", "maxEnqueuedTokens": 1000000}"#) == nil)
    }
}
