import Foundation
import HeadroomAdapters
import HeadroomConfiguration
import HeadroomCore
import HeadroomHTTPClient
import HeadroomGateway
import HeadroomMockServer
import HeadroomServerSupport
import HeadroomSimulator
import HeadroomTokenizers

/// One request of the replay: what the simulator is given, and the body the live client sends.
struct ReplayRequest: Sendable {
    /// Its arrival, its prompt as the mock counts it, its `max_tokens` and its answer's length.
    var simulated: SimulatedRequest
    /// The chat request, asking the mock for an answer of the simulated length.
    var body: [UInt8]
}

/// What the simulator and the live run are compared on.
struct Figures {
    var offered = 0
    var served = 0
    var attempts = 0
    var throttled = 0
    /// Prompt and completion tokens of the requests served.
    var servedTokens = 0
    /// From the first arrival to the last answer.
    var durationSeconds = 0.0
    /// Requests the response cache answered: hits and coalesced.
    var answeredByCache = 0
    /// Requests that failed at their deadline (the gateway's 504 `deadline_exceeded`).
    var pastDeadline = 0
    /// What the deployments charged for requests sent by the horizon, over the capacity bound.
    var efficiency: Double?
    /// The gateways' Redis renewals, those that failed, and their fallbacks, in all.
    var shared: (renewals: Int, failures: Int, fallbacks: Int)?
    /// Arrival to answer, of the requests served.
    var latencies: [Double] = []
    /// For the simulator, read from its report rather than from `latencies`.
    var latencyPercentiles: (p50: Double, p99: Double)?
    /// With a batch deployment: requests answered from a batch, those sent back synchronously, and the
    /// latency of the deferrable requests and of the others.
    var batch: (answered: Int, resent: Int, deferrable: (p50: Double, p99: Double), urgent: (p50: Double, p99: Double))?

    var throttleRate: Double { Double(throttled) / Double(max(1, attempts)) }
    var goodputTokensPerMinute: Double { Double(servedTokens) / max(durationSeconds / 60, 1e-9) }

    /// The median and the 99th percentile of the latencies (nearest rank).
    var percentiles: (p50: Double, p99: Double) {
        latencyPercentiles ?? Self.percentiles(latencies)
    }

    /// The median and the 99th percentile of `samples` (nearest rank).
    static func percentiles(_ samples: [Double]) -> (p50: Double, p99: Double) {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return (0, 0) }
        func rank(_ share: Double) -> Double { sorted[min(sorted.count - 1, Int((share * Double(sorted.count)).rounded(.up)) - 1)] }
        return (rank(0.5), rank(0.99))
    }
}

extension SimulatedDeployment {
    /// The same deployment with limits `factor` times higher.
    func enlarged(by factor: Double) -> SimulatedDeployment {
        var deployment = self
        deployment.endpoint.tokensPerMinute = Int(Double(endpoint.tokensPerMinute) * factor)
        deployment.endpoint.requestsPerMinute = Int(Double(endpoint.requestsPerMinute) * factor)
        return deployment
    }

    /// The same deployment with time running `factor` times faster: limits per minute `factor` times
    /// higher, windows, latencies and other clients' gaps `factor` times shorter.
    func compressed(by factor: Double) -> SimulatedDeployment {
        var deployment = self
        var model = endpoint
        model.tokensPerMinute = Int((Double(model.tokensPerMinute) * factor).rounded())
        model.requestsPerMinute = Int((Double(model.requestsPerMinute) * factor).rounded())
        if case .azure(let seconds) = model.limiter { model.limiter = .azure(subWindowSeconds: seconds / factor) }
        model.latency.firstTokenSeconds /= factor
        model.latency.perOutputTokenSeconds /= factor
        model.latency.refusalSeconds /= factor
        model.faults.timeoutSeconds /= factor
        model.faults.backgroundTokensPerMinute *= factor
        deployment.endpoint = model
        return deployment
    }
}

/// The words prompts are made of.
private let words = ["the", "cat", "sat", "on", "a", "mat", "with", "some", "quiet", "joy"]

/// Builds the replay of a conformance-matrix row's workload, compressed in time by `factor`; `batchShare` of
/// the requests, drawn with the matrix's seed, accept batch (their model named `gpt-4o@batch`); every request
/// gives `deadline`, if any (compressed already; live, as `x-headroom-deadline`).
func replay(of row: ConformanceMatrix.Row, matrix: ConformanceMatrix, compressedBy factor: Double, batchShare: Double = 0,
            deadline: Duration? = nil) throws -> [ReplayRequest] {
    let tokenizer = try BPETokenizer.load(.o200k)
    var workload = matrix.workload(for: row)
    var requests: [ReplayRequest] = []
    var draws = SeededRandom(seed: matrix.seed ^ 0xBA7C)
    while let request = try workload.next() {
        // A prompt of about the simulated size in plain words (which the gateway's estimate counts within
        // about 1% of the exact count), counted as the mock counts it; with a cache key, the key first,
        // so that requests ask the same exactly when their keys are the same.
        let filler = (0 ..< max(1, request.promptTokens - 8)).map { words[$0 % words.count] }
        let content = ((request.cacheKey.map { [$0] } ?? []) + filler).joined(separator: " ")
        let prompt = ChatTokenCount.count([(role: "user", content: content, name: nil)], using: tokenizer)
        var simulated = request
        simulated.arrival = Instant(nanoseconds: Int64(Double(request.arrival.nanoseconds) / factor))
        simulated.promptTokens = prompt
        if batchShare > 0, Double(draws.next() >> 11) / Double(1 << 53) < batchShare { simulated.batch = true }
        simulated.deadline = deadline
        let body: [String: Any] = [
            "model": simulated.batch == true ? "gpt-4o@batch" : "gpt-4o", "messages": [["role": "user", "content": content]], "max_tokens": request.maxTokens,
            "temperature": 0, MockServer.outputTokensField: request.outputTokens,
        ]
        requests.append(ReplayRequest(simulated: simulated, body: Array(try JSONSerialization.data(withJSONObject: body))))
    }
    return requests
}

/// A fixed list of requests, for the simulator.
struct ListWorkload: WorkloadSource {
    var requests: [SimulatedRequest]
    var position = 0

    mutating func next() throws(HeadroomError) -> SimulatedRequest? {
        guard position < requests.count else { return nil }
        defer { position += 1 }
        return requests[position]
    }
}

/// The live run's gateways: how many, whether they share the deployments through Redis, and
/// when that Redis is stopped and for how long (from the start of the arrivals, compressed).
struct Cluster {
    var instances: Int
    var sharing = false
    /// Whether each gateway is a `headroom-gateway` process of its own (started from the folder this program is in).
    var processes = false
    var outage: (start: Duration, length: Duration)?
}

/// Sends `requests` to `urls` in turn at their arrival times (measured from now), all at once as they fall due, and measures the answers.
func send(_ requests: [ReplayRequest], to urls: [String], key: String) async -> Figures {
    // As many connections as requests in flight: a waiting request holds one.
    let transport = AsyncHTTPClientTransport(connectionsPerHost: 4_096)
    let start = ContinuousClock.now
    let results = await withTaskGroup(of: (status: Int?, tokens: Int, latency: Double, end: Double, deferrable: Bool).self) { group in
        for (index, request) in requests.enumerated() {
            let url = urls[index % urls.count]
            let due = start + .nanoseconds(request.simulated.arrival.nanoseconds)
            try? await Task.sleep(until: due, clock: .continuous)
            group.addTask {
                // A deadline in whole milliseconds, as the simulator has it.
                let deadline = request.simulated.deadline.map { HTTPField("x-headroom-deadline", String(format: "%.3f", seconds($0))) }
                let message = HTTPRequestData(method: "POST", url: url, headers: [HTTPField("authorization", "Bearer \(key)"),
                                                                                   HTTPField("content-type", "application/json")] + (deadline.map { [$0] } ?? []),
                                              body: request.body)
                var status: Int?, tokens = 0
                if let response = try? await transport.send(message, timeout: .seconds(3_600)), let body = try? await response.collect() {
                    status = response.status
                    let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
                    if response.status == 200, let total = (json?["usage"] as? [String: Any])?["total_tokens"] as? Int { tokens = total }
                }
                let end = ContinuousClock.now - start
                return (status, tokens, seconds(end - .nanoseconds(request.simulated.arrival.nanoseconds)), seconds(end), request.simulated.batch == true)
            }
        }
        var results: [(status: Int?, tokens: Int, latency: Double, end: Double, deferrable: Bool)] = []
        for await result in group { results.append(result) }
        return results
    }
    var figures = Figures(offered: requests.count)
    figures.pastDeadline = results.filter { $0.status == 504 }.count
    for result in results where result.status == 200 {
        figures.served += 1
        figures.servedTokens += result.tokens
        figures.latencies.append(result.latency)
    }
    let first = requests.first.map { seconds(.nanoseconds($0.simulated.arrival.nanoseconds)) } ?? 0
    figures.durationSeconds = (results.map(\.end).max() ?? first) - first
    if requests.contains(where: { $0.simulated.batch == true }) {
        let served = results.filter { $0.status == 200 }
        figures.batch = (0, 0, Figures.percentiles(served.filter(\.deferrable).map(\.latency)),
                         Figures.percentiles(served.filter { !$0.deferrable }.map(\.latency)))
    }
    return figures
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.nanoseconds) / 1e9
}

/// Replays `requests` through the gateways of `cluster` in front of a mock of `deployments`, all in this process on
/// loopback ports; what the mock charged for requests it took by the horizon is measured against `bound`.
func liveRun(deployments: [SimulatedDeployment], requests: [ReplayRequest], maxWaitSeconds: Double, cache: CacheSettings?,
             cluster: Cluster, bound: (tokens: Int, horizon: Duration), seed: UInt64) async throws -> Figures {
    var live = Figures()
    let redis = cluster.sharing ? RedisHolder(try await LocalRedis.start()) : nil
    let mock = try MockServer(deployments: deployments, seed: seed, bucketSeconds: 0.05)
    try await serving({ mock.application(port: 0, onRunning: $0) }) { mockPort in
        let mockURL = "http://127.0.0.1:\(mockPort)"
        var engine = HeadroomConfiguration(deployments: deployments.map { deployment in
            if let batch = deployment.batch { return DeploymentSettings(batch, id: deployment.id, mockURL: mockURL) }
            var entry = DeploymentSettings(
                id: deployment.id, provider: "azure", tokensPerMinute: deployment.endpoint.tokensPerMinute,
                requestsPerMinute: deployment.endpoint.requestsPerMinute, models: ["gpt-4o"], endpoint: mockURL,
                apiKeyEnvironment: "MOCK_KEY", deploymentNames: ["gpt-4o": deployment.id])
            if case .azure(let seconds) = deployment.endpoint.limiter { entry.subWindowSeconds = seconds }
            entry.admission = deployment.endpoint.admission
            return entry
        })
        engine.scheduler = SchedulerSettings()
        engine.scheduler?.maxQueueWaitSeconds = maxWaitSeconds
        engine.cache = cache
        let key = "sk-compare"
        let redisURL = await redis?.server.url
        // One file's worth for each gateway: the engine, its own name in the group, the client, quiet logs.
        let configurations = (0 ..< cluster.instances).map { index in
            var configuration = engine
            if let redisURL {
                configuration.sharedState = SharedStateSettings(redis: redisURL, instanceID: "gateway-\(index + 1)", expectedInstances: cluster.instances)
            }
            configuration.tenants = [TenantSettings(name: "compare", key: key)]
            var engineSettings = EngineSettings()
            engineSettings.batchJournal = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-compare-\(UUID().uuidString).jsonl").path
            configuration.engine = engineSettings
            var gateway = GatewaySettings()
            gateway.port = 0
            // The comparison's tables, not a line a request.
            gateway.logLevel = "error"
            configuration.gateway = gateway
            return configuration
        }
        func measure(_ ports: [Int]) async throws {
            let started = await mock.provider.statistics().uptimeSeconds
            let outage = Task {
                guard let redis, let (start, length) = cluster.outage else { return }
                try await Task.sleep(for: start)
                await redis.stop()
                try await Task.sleep(for: length)
                try await redis.restart()
            }
            live = await send(requests, to: ports.map { "http://127.0.0.1:\($0)/v1/chat/completions" }, key: key)
            try await outage.value
            let firstArrival = Double(requests.first?.simulated.arrival.nanoseconds ?? 0) / 1e9
            live.efficiency = await charged(by: started + firstArrival + bound.horizon / .seconds(1), on: mock) / Double(max(1, bound.tokens))
        }
        var gatewayStats: [GatewayStats] = []
        if cluster.processes {
            var processes: [GatewayProcess] = []
            for configuration in configurations { processes.append(try await GatewayProcess.start(configuration, environment: ["MOCK_KEY": "mock-key"])) }
            do {
                try await measure(processes.map(\.port))
                for process in processes { if let answer = await process.stats() { gatewayStats.append(answer) } }
            } catch {
                for process in processes { await process.stop() }
                throw error
            }
            for process in processes { await process.stop() }
        } else {
            let gateways = try configurations.map { configuration throws(HeadroomError) in
                try Gateway(configuration: GatewayConfiguration(configuration), environment: ["MOCK_KEY": "mock-key"])
            }
            try await servingAll(gateways[...]) { ports in try await measure(ports) }
            for gateway in gateways {
                gatewayStats.append(await gateway.stats())
                await gateway.engine.shutdown()
            }
        }
        for answer in gatewayStats {
            if let counts = answer.cache { live.answeredByCache += counts.hits + counts.coalesced }
            if let counts = answer.batch, let batch = live.batch {
                live.batch = (batch.answered + counts.answered, batch.resent + counts.resent, batch.deferrable, batch.urgent)
            }
            if let status = answer.sharedState {
                let sum = live.shared ?? (0, 0, 0)
                live.shared = (sum.renewals + status.renewals, sum.failures + status.failures, sum.fallbacks + status.fallbacks)
            }
        }
        await redis?.stop()
        let stats = await mock.provider.statistics()
        live.attempts = stats.deployments.reduce(0) { $0 + $1.totals.ok + $1.totals.throttled + $1.totals.serverErrors }
        live.throttled = stats.deployments.reduce(0) { $0 + $1.totals.throttled }
    }
    return live
}

/// Serves every gateway of `gateways` on a port of its own, then runs `body` with their ports.
func servingAll(_ gateways: ArraySlice<Gateway>, ports: [Int] = [], _ body: ([Int]) async throws -> Void) async throws {
    guard let first = gateways.first else { return try await body(ports) }
    try await serving({ first.application(onRunning: $0) }) { port in
        try await servingAll(gateways.dropFirst(), ports: ports + [port], body)
    }
}

/// What the mock's deployments charged for the 200s to requests that reached them by `seconds` of its uptime.
func charged(by seconds: Double, on mock: MockServer) async -> Double {
    let stats = await mock.provider.statistics()
    var total = 0
    for deployment in stats.deployments {
        for (offset, counts) in deployment.timeline.enumerated()
        where Double(deployment.firstBucket + offset) * stats.bucketSeconds < seconds {
            total += counts.tokensCharged
        }
    }
    return Double(total)
}

/// The Redis of a live run, stopped and started again on its port for an outage.
actor RedisHolder {
    private(set) var server: LocalRedis

    init(_ server: LocalRedis) {
        self.server = server
    }

    func stop() async {
        await server.stop()
    }

    func restart() async throws {
        server = try await LocalRedis.start(port: server.port)
    }
}

extension DeploymentSettings {
    /// The gateway's entry for mock batch deployment `id`, at the mock's per-deployment base URL, under its rules.
    init(_ batch: SimulatedDeployment.BatchEndpoint, id: String, mockURL: String) {
        self.init(id: id, provider: "openai", tokensPerMinute: Deployment.largestQuota, models: ["gpt-4o"], baseURL: "\(mockURL)/\(id)/v1",
                  apiKeyEnvironment: "MOCK_KEY")
        kind = .batch
        maxEnqueuedTokens = batch.model.maxEnqueuedTokens
        let rules = batch.rules
        func seconds(_ duration: Duration) -> Double { Double(duration.nanoseconds) / 1e9 }
        var settings = BatchSettings(maxAgeSeconds: seconds(rules.maxAge), pollSeconds: seconds(rules.pollInterval), graceSeconds: seconds(rules.gracePeriod))
        settings.maxRequests = rules.maxRequests
        settings.maxPollSeconds = seconds(rules.maxPollInterval)
        settings.cancelWaitSeconds = seconds(rules.cancelWait)
        self.batch = settings
    }
}

extension SimulatedDeployment {
    /// A batch deployment "batch" serving gpt-4o, its batches taking a minute at the median and three at the 99th
    /// percentile, files going after 10 s, polls every 5 to 15 s, a grace period of `grace` seconds (ten minutes): all
    /// `factor` times shorter; `failureRate` of its batches fail and `expiryRate` expire.
    static func batch(compressedBy factor: Double, grace: Double = 600, failureRate: Double = 0, expiryRate: Double = 0) -> SimulatedDeployment {
        var deployment = SimulatedDeployment(id: "batch", models: ["gpt-4o"], endpoint: .openAI(requestsPerMinute: 1_000, tokensPerMinute: 1_000_000))
        var rules = BatchRules()
        rules.maxAge = .seconds(10 / factor)
        rules.pollInterval = .seconds(5 / factor)
        rules.maxPollInterval = .seconds(15 / factor)
        rules.gracePeriod = .seconds(grace / factor)
        rules.cancelWait = .seconds(60 / factor)
        let model = BatchEndpointModel(maxEnqueuedTokens: 100_000_000, turnaround: TurnaroundModel(medianSeconds: 60 / factor, p99Seconds: 180 / factor),
                                       failureRate: failureRate, expiryRate: expiryRate, cancelTime: .seconds(1 / factor))
        deployment.batch = .init(model: model, rules: rules)
        return deployment
    }
}
