import Foundation
import HeadroomConfiguration
import HeadroomCore
import HeadroomGateway
import HeadroomServerSupport
import Testing

@Suite("Response cache through the gateway", .timeLimit(.minutes(3)))
struct GatewayCacheTests {
    private static let repeatable = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"max_tokens":10,"temperature":0}"#
    private static let streamed = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"max_tokens":10,"temperature":0,"stream":true}"#
    private let auth = ["Authorization": "Bearer \(Servers.key)"]

    private func cached(_ body: (Servers) async throws -> Void) async throws {
        try await Servers.with([azure("east")], configure: { $0.engine.cache = CacheSettings() }, body)
    }

    /// Answers the mock gave with a 200.
    private func upstreamAnswers(_ servers: Servers) async throws -> Int {
        let stats = try await exchange("\(servers.mockURL)/mock/stats", method: "GET")
        return ((stats.json["deployments"] as? [[String: Any]])?.first?["totals"] as? [String: Any])?["ok"] as? Int ?? -1
    }

    @Test("A repeated request is a hit: the same bytes, its age, no second upstream call, counted in /stats and /metrics")
    func hit() async throws {
        try await cached { servers in
            let first = try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: auth, body: Self.repeatable)
            let second = try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: auth, body: Self.repeatable)
            #expect(first.status == 200 && first.headers["x-headroom-cache"] == "miss" && first.headers["age"] == nil)
            #expect(second.status == 200 && second.headers["x-headroom-cache"] == "hit" && second.headers["age"] == "0")
            #expect(second.text == first.text)
            #expect(try await upstreamAnswers(servers) == 1)
            let stats = try await exchange("\(servers.gatewayURL)/stats", method: "GET")
            #expect(stats.value("cache", "hits") as? Int == 1 && stats.value("cache", "misses") as? Int == 1)
            let metrics = try await exchange("\(servers.gatewayURL)/metrics", method: "GET")
            #expect(metrics.text.contains("headroom_cache_hits_total 1"))
            #expect(metrics.text.contains(#"headroom_cache_requests_total{client="test",model="gpt-4o",status="hit"} 1"#))
        }
    }

    @Test("A streamed answer is replayed as the same events, ending as the stream did")
    func stream() async throws {
        try await cached { servers in
            let first = try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: auth, body: Self.streamed)
            let second = try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: auth, body: Self.streamed)
            #expect(first.headers["x-headroom-cache"] == "miss" && second.headers["x-headroom-cache"] == "hit")
            #expect(second.headers["content-type"] == "text/event-stream")
            #expect(second.text == first.text && second.text.hasSuffix("data: [DONE]\n\n") && second.text.components(separatedBy: "data: ").count > 3)
            #expect(try await upstreamAnswers(servers) == 1)
        }
    }

    @Test("Cache-Control and the namespace field are honoured; a namespace too long is refused")
    func fields() async throws {
        try await cached { servers in
            let url = "\(servers.gatewayURL)/v1/chat/completions"
            func status(_ fields: [String: String]) async throws -> String? {
                try await exchange(url, headers: auth.merging(fields) { $1 }, body: Self.repeatable).headers["x-headroom-cache"]
            }
            #expect(try await status(["Cache-Control": "no-store"]) == "bypass")
            #expect(try await status([:]) == "miss")
            #expect(try await status(["Cache-Control": "no-cache"]) == "miss")
            #expect(try await status(["x-headroom-cache-namespace": "experiment-1"]) == "miss")
            #expect(try await status(["x-headroom-cache-namespace": "experiment-1"]) == "hit")
            #expect(try await status([:]) == "hit")
            let refused = try await exchange(url, headers: auth.merging(["x-headroom-cache-namespace": String(repeating: "n", count: 201)]) { $1 }, body: Self.repeatable)
            #expect(refused.status == 400 && refused.text.contains("x-headroom-cache-namespace"))
            #expect(try await upstreamAnswers(servers) == 4)
        }
    }

    @Test("A sampled request is not cached by default; a tenant set to all has it cached; without a cache section no field is sent")
    func modes() async throws {
        let sampled = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"max_tokens":10}"#
        try await cached { servers in
            for _ in 0 ..< 2 {
                let answer = try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: auth, body: sampled)
                #expect(answer.headers["x-headroom-cache"] == "bypass")
            }
        }
        try await Servers.with([azure("east")], configure: {
            $0.engine.cache = CacheSettings()
            $0.clients[0].cache = .all
        }) { servers in
            _ = try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: auth, body: sampled)
            let again = try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: auth, body: sampled)
            #expect(again.headers["x-headroom-cache"] == "hit")
        }
        try await Servers.with([azure("east")]) { servers in
            let answer = try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: auth, body: Self.repeatable)
            #expect(answer.status == 200 && answer.headers["x-headroom-cache"] == nil)
        }
    }
}

@Suite("Response cache on Redis", .serialized, .timeLimit(.minutes(2)))
struct RedisCacheTests {
    private static let repeatable = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Shared"}],"max_tokens":10,"temperature":0}"#

    @Test("Two gateways on one Redis: a hit on one for what the other fetched, the same bytes")
    func shared() async throws {
        let redis = try await LocalRedis.start()
        let auth = ["Authorization": "Bearer \(Servers.key)"]
        let configure: (inout GatewayConfiguration) -> Void = {
            var settings = CacheSettings()
            settings.store = "redis"
            settings.redisURL = redis.url
            $0.engine.cache = settings
        }
        try await Servers.with([azure("east")], configure: configure) { first in
            try await Servers.with([azure("east")], configure: configure) { second in
                let fetched = try await exchange("\(first.gatewayURL)/v1/chat/completions", headers: auth, body: Self.repeatable)
                let served = try await exchange("\(second.gatewayURL)/v1/chat/completions", headers: auth, body: Self.repeatable)
                #expect(fetched.headers["x-headroom-cache"] == "miss" && served.headers["x-headroom-cache"] == "hit")
                #expect(served.text == fetched.text)
            }
        }
        await redis.stop()
    }

    @Test("With Redis gone, requests are answered upstream and counted as store errors, never failed")
    func redisDown() async throws {
        let redis = try await LocalRedis.start()
        let url = redis.url
        await redis.stop()
        try await Servers.with([azure("east")], configure: {
            var settings = CacheSettings()
            settings.store = "redis"
            settings.redisURL = url
            $0.engine.cache = settings
        }) { servers in
            for _ in 0 ..< 2 {
                let answer = try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: ["Authorization": "Bearer \(Servers.key)"],
                                                body: Self.repeatable)
                #expect(answer.status == 200 && answer.headers["x-headroom-cache"] == "miss")
            }
            let stats = try await exchange("\(servers.gatewayURL)/stats", method: "GET")
            #expect((stats.value("cache", "store_errors") as? Int ?? 0) >= 4)
        }
    }
}
