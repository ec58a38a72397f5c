import Foundation
import HeadroomConfiguration
import HeadroomCore
import HeadroomGateway
import HeadroomSimulator
import Testing

@Suite("Fair queueing through the gateway", .timeLimit(.minutes(2)))
struct FairQueueGatewayTests {
    /// Four clients: "heavy", and three light ones; the queue `queue`.
    static func configure(queue: String) -> (inout GatewayConfiguration) -> Void {
        { configuration in
            configuration.clients = ["heavy", "light-1", "light-2", "light-3"].map { TenantSettings(name: $0, key: "sk-\($0)") }
            configuration.engine.scheduler = SchedulerSettings()
            configuration.engine.scheduler?.queue = queue
            configuration.engine.scheduler?.maxQueueWaitSeconds = 120
            configuration.engine.deployments[0].subWindowSeconds = 1
        }
    }

    /// Sends 24 requests from the heavy client at once, then one from each light client, against a deployment that takes
    /// about four requests a second; returns the light requests' positions among the 27 answers, in the order they came.
    func lightPositions(queue: String) async throws -> [Int] {
        // 12,000 tokens a minute in 1 s windows: 200 a window, each request charged about 10 prompt + 40 max output: four a second.
        var deployment = azure("east", requestsPerMinute: 6_000, tokensPerMinute: 12_000, latency: 0.01)
        deployment.endpoint.limiter = .azure(subWindowSeconds: 1)
        var order: [String] = []
        try await Servers.with([deployment], configure: Self.configure(queue: queue)) { servers in
            let url = "\(servers.gatewayURL)/v1/chat/completions"
            let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"max_tokens":40}"#
            order = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0 ..< 24 {
                    group.addTask {
                        _ = try await exchange(url, headers: ["Authorization": "Bearer sk-heavy"], body: body)
                        return "heavy"
                    }
                }
                try await Task.sleep(for: .milliseconds(300))
                for name in ["light-1", "light-2", "light-3"] {
                    group.addTask {
                        _ = try await exchange(url, headers: ["Authorization": "Bearer sk-\(name)"], body: body)
                        return name
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        return order.indices.filter { order[$0] != "heavy" }
    }

    @Test("Under the fair queue a light client's request goes ahead of a flooding client's backlog; under FIFO it waits behind it")
    func lightClientsGoFirst() async throws {
        let fair = try await lightPositions(queue: "fair")
        let fifo = try await lightPositions(queue: "fifo")
        // Fair: each light request goes at the next room, among the first few answers after its arrival.
        #expect(fair.allSatisfy { $0 < 15 }, "fair positions \(fair)")
        // FIFO: behind the heavy backlog.
        #expect(fifo.allSatisfy { $0 >= 20 }, "fifo positions \(fifo)")
    }
}
