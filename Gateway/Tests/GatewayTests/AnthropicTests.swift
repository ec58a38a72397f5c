import Foundation
import HeadroomAdapters
import HeadroomConfiguration
import HeadroomCore
import HeadroomGateway
import HeadroomSimulator
import Testing

/// A mock Anthropic deployment serving claude: 600 requests, 100,000 input tokens and `output` output tokens a minute,
/// answering in `latency` seconds.
func anthropic(_ id: String, output: Int = 50_000, latency: Double = 0.05) -> SimulatedDeployment {
    var endpoint = EndpointModel.anthropic(requestsPerMinute: 600, inputTokensPerMinute: 100_000, outputTokensPerMinute: output)
    endpoint.latency.firstTokenSeconds = latency
    endpoint.latency.perOutputTokenSeconds = 0
    endpoint.latency.jitter = 0
    endpoint.latency.refusalSeconds = 0
    return SimulatedDeployment(id: id, models: ["claude"], endpoint: endpoint)
}

@Suite("Anthropic through the gateway", .timeLimit(.minutes(2)))
struct AnthropicTests {
    /// The gateway's deployment for mock deployment `mock`: Anthropic's, at the mock's per-deployment base URL.
    static func configure(_ mock: SimulatedDeployment) -> (inout GatewayConfiguration) -> Void {
        { configuration in
            let mockURL = configuration.engine.deployments[0].endpoint ?? ""
            var claude = DeploymentSettings(id: mock.id, provider: "anthropic", tokensPerMinute: mock.endpoint.tokensPerMinute,
                                            requestsPerMinute: mock.endpoint.requestsPerMinute, models: ["claude"],
                                            baseURL: "\(mockURL)/\(mock.id)/v1", apiKeyEnvironment: "MOCK_KEY")
            claude.outputTokensPerMinute = mock.endpoint.outputTokensPerMinute
            configuration.engine.deployments = [claude]
        }
    }

    private let message = #"{"model":"claude","max_tokens":900,"messages":[{"role":"user","content":"Hello"}]}"#

    @Test("A message and a streamed message go through the gateway to Anthropic's API and back, the key in x-api-key")
    func messages() async throws {
        let mock = anthropic("claude-1")
        try await Servers.with([mock], configure: Self.configure(mock)) { servers in
            let url = "\(servers.gatewayURL)/v1/messages"
            let answer = try await exchange(url, headers: ["x-api-key": Servers.key, "anthropic-version": "2023-06-01"], body: message)
            #expect(answer.status == 200 && answer.value("type") as? String == "message")
            let output = try #require(answer.value("usage", "output_tokens") as? Int)
            #expect(answer.value("usage", "input_tokens") as? Int == 8 && (8 ... 64).contains(output))
            let streamed = try await exchange(url, headers: ["x-api-key": Servers.key],
                                              body: #"{"model":"claude","max_tokens":900,"stream":true,"messages":[{"role":"user","content":"Hi"}]}"#)
            #expect(streamed.status == 200 && streamed.text.contains("event: message_start") && streamed.text.hasSuffix("{\"type\":\"message_stop\"}\n\n"))
            // The usage the stream reported reached the gateway's tally.
            let stats = await servers.gateway.stats()
            #expect(stats.requests.succeeded == 2)
        }
    }

    @Test("Requests over Anthropic's output limit wait for it in the gateway's queue, and the provider never refuses one")
    func outputLimitQueues() async throws {
        // 2,000 output tokens a minute and max_tokens 900: two fit at once; the third waits until an answer gives
        // back what it did not generate.
        let mock = anthropic("claude-1", output: 2_000)
        try await Servers.with([mock], configure: Self.configure(mock)) { servers in
            let url = "\(servers.gatewayURL)/v1/messages"
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0 ..< 6 { group.addTask { try await exchange(url, headers: ["x-api-key": Servers.key], body: message).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 6))
            let served = await servers.mock.provider.statistics().deployments[0].totals
            #expect(served.ok == 6 && served.throttled == 0)
        }
    }

    @Test("Told a larger output limit than Anthropic's, the gateway retries what Anthropic refuses, after its retry-after, and serves every request")
    func refusalsRetried() async throws {
        // The gateway believes in 50,000 output tokens a minute; the mock allows 2,000, and answers after a second.
        // Of 7 requests of max_tokens 300 sent at once, the mock takes 6 and refuses the last for 3 s.
        let mock = anthropic("claude-1", output: 2_000, latency: 1)
        var told = mock
        told.endpoint = .anthropic(requestsPerMinute: 600, inputTokensPerMinute: 100_000, outputTokensPerMinute: 50_000)
        try await Servers.with([mock], configure: Self.configure(told)) { servers in
            let url = "\(servers.gatewayURL)/v1/messages"
            let body = #"{"model":"claude","max_tokens":300,"messages":[{"role":"user","content":"Hello"}]}"#
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0 ..< 7 { group.addTask { try await exchange(url, headers: ["x-api-key": Servers.key], body: body).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 7))
            let served = await servers.mock.provider.statistics().deployments[0].totals
            #expect(served.ok == 7 && served.throttled == 1, "\(served)")
            let deployment = try #require(await servers.gateway.stats().deployments.first)
            #expect(deployment.throttled == 1)
        }
    }

    @Test("The same configuration simulates alike: no request refused, every one served")
    func simulatedAlike() throws {
        let claude = anthropic("claude-1", output: 2_000)
        var workload = try TransformedWorkload(SyntheticWorkload(count: 60, requestsPerSecond: 2, model: "claude", seed: 3),
                                               transform: WorkloadTransform())
        let simulation = try Simulation(deployments: [claude], seed: 3)
        let report = try simulation.run(&workload, strategy: .headroom())
        #expect(report.requests.succeeded == 60 && report.upstream.throttled == 0, "\(report.text)")
    }
}
