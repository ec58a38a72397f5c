import Foundation
import HeadroomConfiguration
import HeadroomCore
import HeadroomGateway
import HeadroomServerSupport
import Testing

@Suite("Budgets through the gateway", .timeLimit(.minutes(2)))
struct BudgetTests {
    static let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"max_tokens":20,"mock_output_tokens":20}"#

    /// Two clients: "capped", with a daily budget of `tokens` tokens, and "free"; the budget file at `file`.
    static func configure(tokens: Int, file: String, redis: String? = nil) -> (inout GatewayConfiguration) -> Void {
        { configuration in
            var capped = TenantSettings(name: "capped", key: "sk-capped")
            capped.budgets = [BudgetSettings(period: .day, tokens: tokens, softShare: 0.5)]
            configuration.clients = [capped, TenantSettings(name: "free", key: "sk-free")]
            configuration.budgetFile = file
            if let redis { configuration.engine.sharedState = SharedStateSettings(redis: redis, expectedInstances: 2) }
        }
    }

    static func ask(_ servers: Servers, as key: String) async throws -> Exchange {
        try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: ["Authorization": "Bearer \(key)"], body: body)
    }

    static func status(of servers: Servers, as key: String) async throws -> Int {
        try await ask(servers, as: key).status
    }

    static func temporaryFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("headroom-budgets-\(UUID().uuidString).json").path
    }

    @Test("A client that has spent its budget gets 429 budget_exceeded naming it and its reset, until midnight UTC; others are served")
    func spentBudgetRefuses() async throws {
        let file = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await Servers.with([azure("east")], configure: Self.configure(tokens: 20, file: file)) { servers in
            // The first request uses 20 output tokens and its prompt: over 20, and it is still served.
            #expect(try await Self.status(of: servers, as: "sk-capped") == 200)
            let refused = try await Self.ask(servers, as: "sk-capped")
            #expect(refused.status == 429)
            #expect(refused.value("error", "code") as? String == "budget_exceeded" && refused.value("error", "type") as? String == "insufficient_quota")
            let message = try #require(refused.value("error", "message") as? String)
            #expect(message.hasPrefix("Tenant 'capped' has used ") && message.contains("tokens of its daily budget of 20 tokens; it resets at "))
            let untilMidnight = 86_400 - Int(Date().timeIntervalSince1970) % 86_400
            let retryAfter = try #require(refused.headers["retry-after"].flatMap { Int($0) })
            #expect(abs(retryAfter - untilMidnight) <= 2)
            #expect(try await Self.status(of: servers, as: "sk-free") == 200)
            let stats = await servers.gateway.stats()
            let status = try #require(stats.budgets?.statuses.first)
            #expect(status.tenant == "capped" && status.budget == "day-tokens" && status.limit == 20 && status.used > 20 && status.isSpent)
            #expect(stats.clients.map(\.rejected) == [1, 0])
            let metrics = try await exchange("\(servers.gatewayURL)/metrics", method: "GET").text
            #expect(metrics.contains(#"headroom_client_budget_spent{client="capped",budget="day-tokens"} 1"#))
            #expect(metrics.contains(#"headroom_client_budget_refusals_total{client="capped"} 1"#))
        }
    }

    @Test("What a client used survives a restart in the budget file")
    func survivesRestart() async throws {
        let file = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await Servers.with([azure("east")], configure: Self.configure(tokens: 20, file: file)) { servers in
            #expect(try await Self.status(of: servers, as: "sk-capped") == 200)
            // Written within a second.
            for _ in 0 ..< 40 where !FileManager.default.fileExists(atPath: file) { try await Task.sleep(for: .milliseconds(100)) }
        }
        try await Servers.with([azure("east")], configure: Self.configure(tokens: 20, file: file)) { servers in
            let status = try await Self.status(of: servers, as: "sk-capped")
            #expect(status == 429)
        }
    }

    @Test("A corrupt budget file is passed over and counted as a store error, and the gateway serves")
    func corruptFile() async throws {
        let file = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data("{\"entries\": [{\"tenant\": 3}".utf8).write(to: URL(fileURLWithPath: file))
        try await Servers.with([azure("east")], configure: Self.configure(tokens: 1_000, file: file)) { servers in
            let status = try await Self.status(of: servers, as: "sk-capped")
            #expect(status == 200)
            #expect(await servers.gateway.stats().budgets?.storeErrors == 1)
        }
    }

    @Test("Two gateways on one Redis share a budget: what one served counts at the other")
    func sharedThroughRedis() async throws {
        let redis = try await LocalRedis.start()
        let configure = Self.configure(tokens: 20, file: Self.temporaryFile(), redis: redis.url)
        try await Servers.with([azure("east")], configure: configure) { first in
            #expect(try await Self.status(of: first, as: "sk-capped") == 200)
            // Added to Redis off the request's path.
            for _ in 0 ..< 40 {
                if await first.gateway.stats().budgets?.statuses.first?.isSpent == true { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Servers.with([azure("east")], configure: configure) { second in
                let refused = try await Self.ask(second, as: "sk-capped")
                #expect(refused.status == 429 && refused.value("error", "code") as? String == "budget_exceeded")
                #expect(await second.gateway.stats().budgets?.storeErrors == 0)
            }
        }
        await redis.stop()
    }
}
