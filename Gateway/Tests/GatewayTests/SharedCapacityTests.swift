import Foundation
import HeadroomConfiguration
import HeadroomServerSupport
import Testing

@Suite("Gateways sharing deployments through Redis", .serialized, .timeLimit(.minutes(5)))
struct SharedCapacityTests {
    @Test("A gateway with a sharedState section takes the share Redis grants it, and shows it in /stats and /metrics")
    func statsShowShares() async throws {
        let redis = try await LocalRedis.start()
        try await Servers.with([azure("east")], configure: { configuration in
            configuration.engine.sharedState = SharedStateSettings(redis: redis.url, instanceID: "only", expectedInstances: 2)
        }) { servers in
            // Alone but expecting two: half at the start, until a lease and a window have passed.
            let answer = try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: ["authorization": "Bearer \(Servers.key)"], body: hello)
            #expect(answer.status == 200)
            let stats = try await exchange("\(servers.gatewayURL)/stats", method: "GET", headers: ["authorization": "Bearer \(Servers.operatorKey)"])
            #expect(stats.value("shared_state", "state") as? String == "shared")
            let share = try #require(stats.value("deployments", 0, "share") as? Double)
            #expect(share > 0 && share <= 0.5)
            let metrics = try await exchange("\(servers.gatewayURL)/metrics", method: "GET", headers: ["authorization": "Bearer \(Servers.operatorKey)"])
            #expect(metrics.text.contains("headroom_deployment_share{deployment=\"east\"}"))
            #expect(metrics.text.contains("headroom_shared_state_fallback 0"))
        }
        await redis.stop()
    }

    /// Runs `headroom-compare` (three headroom-gateway processes at 1.3x capacity, 60 s compressed 4x) with `options`;
    /// returns its table's simulated and live figures by row.
    func compare(_ options: [String]) async throws -> [String: (simulated: String, live: String)] {
        let executable = productsFolder.appendingPathComponent("headroom-compare").path
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the products first: \(executable) is missing")
        let (status, output) = try await run(executable, ["--instances", "3", "--processes", "on", "--scale", "4", "--seconds", "60"] + options)
        try #require(status == 0, "headroom-compare failed: \(output)")
        var rows: [String: (String, String)] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.count >= 3 { rows[cells[0]] = (cells[1], cells[2]) }
        }
        return rows
    }

    func percent(_ text: String?) -> Double? {
        text.flatMap { Double($0.replacingOccurrences(of: "%", with: "")) }
    }

    @Test("Three gateway processes sharing through Redis draw no 429s and serve what the simulation of the same three does; without sharing they overshoot")
    func threeGatewaysShare() async throws {
        let shared = try await compare([])
        #expect(shared["served"]?.live == "259/259")
        #expect(try #require(percent(shared["upstream 429 rate"]?.live)) < 1)
        let simulated = try #require(percent(shared["share of the capacity bound"]?.simulated))
        let live = try #require(percent(shared["share of the capacity bound"]?.live))
        #expect(live > 75 && abs(live - simulated) < 6, "live \(live)%, simulated \(simulated)%")
        let apart = try await compare(["--sharing", "off"])
        #expect(try #require(percent(apart["upstream 429 rate"]?.live)) > 10)
    }

    @Test("Redis stopped for longer than a lease in the middle of the run and started again: every gateway falls back and rejoins, nothing lost, no burst")
    func redisOutage() async throws {
        // 8 s to 56 s of the uncompressed run: 2 s to 14 s of the 15 s it takes, longer than the 10 s lease.
        let rows = try await compare(["--redis-outage", "8:48"])
        #expect(rows["served"]?.live == "259/259")
        #expect(try #require(percent(rows["upstream 429 rate"]?.live)) < 2)
        let shared = try #require(rows["Redis renewals (failed), fallbacks"]?.live)
        #expect(shared.hasSuffix(", 3"), "renewals (failed), fallbacks: \(shared)")
    }
}
