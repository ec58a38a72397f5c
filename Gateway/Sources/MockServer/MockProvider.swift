import Foundation
import HeadroomCore
import HeadroomSimulator

/// The mock deployments of a scenario, in real time: each request is judged by
/// the simulator's ``MockEndpoint`` (the same limiter, latency and faults),
/// with the clock started when the provider is created.
///
/// ```swift
/// let provider = MockProvider(deployments: [SimulatedDeployment(id: "eastus", endpoint: .azure(tokensPerMinute: 150_000))])
/// let arrival = await provider.arrive(at: 0, promptTokens: 900, maxTokens: 300)
/// ```
public actor MockProvider {
    /// What a request that reached a deployment gets.
    public struct Arrival: Sendable {
        /// The endpoint's verdict: when and how it answers, and its rate-limit headers.
        public var response: MockEndpoint.Response
        /// Tokens the answer will contain (0 unless it succeeds).
        public var completionTokens: Int
        /// How long after arrival the answer is complete.
        public var delay: Duration
        /// What the deployment's rate-limit headers say.
        public var headers: EndpointModel.HeaderDialect
    }

    /// The scenario's deployments, in its order.
    public nonisolated let deployments: [SimulatedDeployment]
    private var endpoints: [MockEndpoint]
    private var stats: [MockStats.Deployment]
    private var random: SeededRandom
    private let bucketSeconds: Double
    private let origin = ContinuousClock.now
    private var background: [Task<Void, Never>] = []
    /// The `user` of each request answered 200, up to ``maxUsersTracked``.
    private var servedUsers: Set<String> = []
    private var servedAgain = 0

    /// The most `user` values remembered (about 100 MB at most), so that a mock left running stays bounded.
    public static let maxUsersTracked = 1_000_000

    /// Creates `deployments`, their clocks starting now; `seed` fixes jitter,
    /// faults and answer lengths, and the timeline has buckets of `bucketSeconds`.
    public init(deployments: [SimulatedDeployment], seed: UInt64 = 1, bucketSeconds: Double = 10) {
        self.deployments = deployments
        endpoints = deployments.enumerated().map { index, deployment in
            MockEndpoint(model: deployment.endpoint, seed: seed &+ UInt64(index) &* 0x9E37_79B9)
        }
        stats = deployments.map { MockStats.Deployment(id: $0.id) }
        random = SeededRandom(seed: seed ^ 0x0A_57_E7)
        self.bucketSeconds = max(0.001, bucketSeconds)
    }

    /// The index of the deployment named `id`, or `nil`.
    public nonisolated func index(of id: String) -> Int? {
        deployments.firstIndex { $0.id == id }
    }

    /// The first deployment that serves `model` (one that lists no models serves all).
    public nonisolated func index(serving model: String?) -> Int? {
        deployments.firstIndex { $0.batch == nil && ($0.models.isEmpty || model.map($0.models.contains) == true) }
    }

    /// A request reaches deployment `index`: counts it, charges it, and says how it is answered.
    /// `maxTokens` is 0 for embeddings, which generate nothing.
    /// `outputTokens`, when given, is how long the answer is (at most `maxTokens`); else the mock draws a length.
    public func arrive(at index: Int, promptTokens: Int, maxTokens: Int, outputTokens: Int? = nil) -> Arrival {
        let drawn = 8 + Int(random.next() % 57)
        let generated = maxTokens == 0 ? 0 : min(maxTokens, max(0, outputTokens ?? drawn))
        let now = elapsed()
        let response = endpoints[index].handle(promptTokens: promptTokens, maxTokens: maxTokens, outputTokens: generated, now: now)
        let completion = response.status == 200 ? generated : 0
        stats[index].record(status: response.status, tokens: response.status == 200 ? promptTokens + completion : 0,
                            charged: response.status == 200 ? response.charged : 0, bucket: bucket(now))
        return Arrival(response: response, completionTokens: completion, delay: max(.zero, response.at - now),
                       headers: deployments[index].endpoint.headers)
    }

    /// A request that named `user` is answered 200 (its stream has begun).
    public func served(user: String) {
        if servedUsers.contains(user) { servedAgain += 1 } else if servedUsers.count < Self.maxUsersTracked { servedUsers.insert(user) }
    }

    /// An accepted request (status other than 429 and 503) has been answered.
    public func finished(at index: Int) {
        endpoints[index].finished()
    }

    /// Counts and a timeline per deployment.
    public func statistics() -> MockStats {
        MockStats(uptimeSeconds: Double(elapsed().nanoseconds) / 1e9, bucketSeconds: bucketSeconds, deployments: stats, servedAgain: servedAgain)
    }

    /// Starts the scenario's background traffic (other clients spending the
    /// shared quotas), which runs until ``stopBackgroundTraffic()``.
    public func startBackgroundTraffic() {
        guard background.isEmpty else { return }
        for (index, deployment) in deployments.enumerated() where deployment.endpoint.faults.backgroundTokensPerMinute > 0 {
            let faults = deployment.endpoint.faults
            var draws = SeededRandom(seed: random.next())
            background.append(Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(faults.nextBackgroundGap(&draws)))
                    await self?.spendBackground(faults.nextBackgroundCharge(&draws), at: index)
                }
            })
        }
    }

    /// Stops the background traffic.
    public func stopBackgroundTraffic() {
        for task in background { task.cancel() }
        background.removeAll()
    }

    private func spendBackground(_ tokens: Int, at index: Int) {
        endpoints[index].background(tokens: tokens, now: elapsed())
    }

    private func elapsed() -> Instant {
        Instant(nanoseconds: (ContinuousClock.now - origin).nanoseconds)
    }

    private func bucket(_ now: Instant) -> Int {
        Int(Double(now.nanoseconds) / 1e9 / bucketSeconds)
    }
}
