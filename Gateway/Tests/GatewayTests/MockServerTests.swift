import Foundation
import HeadroomSimulator
import Testing
@testable import HeadroomMockServer

@Suite("Mock provider over HTTP", .timeLimit(.minutes(5)))
struct MockServerTests {
    @Test("An Azure deployment answers with usage, the words it counts, and the minute's remaining budget")
    func azureChat() async throws {
        try await Servers.with([azure("east", requestsPerMinute: 600, tokensPerMinute: 100_000)]) { servers in
            let answer = try await exchange("\(servers.mockURL)/openai/deployments/east/chat/completions?api-version=2024-10-21",
                                            headers: ["api-key": "k"], body: hello)
            #expect(answer.status == 200)
            let completion = try #require(answer.value("usage", "completion_tokens") as? Int)
            #expect(answer.value("usage", "prompt_tokens") as? Int == 8)
            #expect(answer.value("usage", "total_tokens") as? Int == 8 + completion)
            #expect((1 ... 10).contains(completion))
            #expect(answer.value("choices", 0, "message", "content") as? String == MockReplies.text(tokens: completion).joined())
            #expect(answer.value("object") as? String == "chat.completion")
            #expect(answer.headers["x-ratelimit-remaining-requests"] == "599")
            #expect(answer.headers["x-ratelimit-remaining-tokens"] == "\(100_000 - 8 - 10)")
        }
    }

    @Test("Past a window's share a deployment answers 429 with retry-after and retry-after-ms, and counts it")
    func throttled() async throws {
        // 6 requests a minute: the 10-second window holds one.
        try await Servers.with([azure("east", requestsPerMinute: 6)]) { servers in
            let url = "\(servers.mockURL)/east/v1/chat/completions"
            #expect(try await exchange(url, headers: ["authorization": "Bearer k"], body: hello).status == 200)
            let refused = try await exchange(url, headers: ["authorization": "Bearer k"], body: hello)
            #expect(refused.status == 429)
            let milliseconds = try #require(refused.headers["retry-after-ms"].flatMap(Int.init))
            #expect((1 ... 10_000).contains(milliseconds))
            #expect(refused.headers["retry-after"] == "\((milliseconds + 999) / 1_000)")
            #expect(refused.value("error", "code") as? String == "429")
            let stats = try await exchange("\(servers.mockURL)/mock/stats", method: "GET")
            #expect(stats.value("deployments", 0, "totals", "ok") as? Int == 1)
            #expect(stats.value("deployments", 0, "totals", "throttled") as? Int == 1)
            #expect(stats.value("deployments", 0, "timeline", 0, "throttled") as? Int == 1)
        }
    }

    @Test("An OpenAI deployment sends its limits, remaining budget and resets as Go durations")
    func openAIHeaders() async throws {
        let deployment = SimulatedDeployment(id: "key", endpoint: .openAI(requestsPerMinute: 60, tokensPerMinute: 6_000))
        try await Servers.with([deployment]) { servers in
            let answer = try await exchange("\(servers.mockURL)/v1/chat/completions", headers: ["authorization": "Bearer k"], body: hello)
            #expect(answer.status == 200)
            #expect(answer.headers["x-ratelimit-limit-requests"] == "60")
            #expect(answer.headers["x-ratelimit-limit-tokens"] == "6000")
            #expect(answer.headers["x-ratelimit-remaining-requests"] == "59")
            #expect(answer.headers["x-ratelimit-reset-requests"] == "1s")
            #expect(answer.headers["x-ratelimit-reset-tokens"] == "100ms")
        }
        #expect(MockReplies.goDuration(.milliseconds(120)) == "120ms")
        #expect(MockReplies.goDuration(.milliseconds(1_500)) == "1.5s")
        #expect(MockReplies.goDuration(.seconds(360)) == "6m0s")
        #expect(MockReplies.goDuration(.milliseconds(61_250)) == "1m1.25s")
    }

    @Test("Requests without a key, an api-version or a known deployment are refused, saying why")
    func refusals() async throws {
        try await Servers.with([azure("east")]) { servers in
            let noKey = try await exchange("\(servers.mockURL)/east/v1/chat/completions", body: hello)
            #expect(noKey.status == 401)
            let noVersion = try await exchange("\(servers.mockURL)/openai/deployments/east/chat/completions", headers: ["api-key": "k"], body: hello)
            #expect(noVersion.status == 400 && noVersion.value("error", "code") as? String == "missing_api_version")
            let unknown = try await exchange("\(servers.mockURL)/west/v1/chat/completions", headers: ["api-key": "k"], body: hello)
            #expect(unknown.status == 404 && unknown.value("error", "code") as? String == "DeploymentNotFound")
            let garbage = try await exchange("\(servers.mockURL)/east/v1/chat/completions", headers: ["api-key": "k"], body: "{")
            #expect(garbage.status == 400 && garbage.value("error", "code") as? String == "invalid_body")
        }
    }

    @Test("A stream sends a role chunk, a chunk per word, the finish reason, usage when asked, then [DONE]")
    func stream() async throws {
        try await Servers.with([azure("east")]) { servers in
            let body = #"{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hello"}],"max_tokens":3}"#
            let answer = try await exchange("\(servers.mockURL)/east/v1/chat/completions", headers: ["api-key": "k"], body: body)
            #expect(answer.status == 200 && answer.headers["content-type"] == "text/event-stream")
            let events = answer.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.count == 7) // role, three words, finish reason, usage, [DONE]
            #expect(events.last == "data: [DONE]")
            #expect(events[1].contains(#""content":"Mock""#) && events[4].contains(#""finish_reason":"length""#))
            #expect(events[5].contains(#""usage":{"completion_tokens":3,"prompt_tokens":8,"total_tokens":11}"#))
        }
    }

    @Test("Embeddings come as floats, or as little-endian float32 in base64 when asked, the same vector either way")
    func embeddings() async throws {
        try await Servers.with([azure("east")]) { servers in
            let url = "\(servers.mockURL)/east/v1/embeddings"
            let floats = try await exchange(url, headers: ["api-key": "k"], body: #"{"model":"gpt-4o","input":["one","two"],"dimensions":4}"#)
            let encoded = try await exchange(url, headers: ["api-key": "k"],
                                             body: #"{"model":"gpt-4o","input":"one","dimensions":4,"encoding_format":"base64"}"#)
            let vector = try #require(floats.value("data", 0, "embedding") as? [Double])
            let base64 = try #require(encoded.value("data", 0, "embedding") as? String)
            let bytes = try #require(Data(base64Encoded: base64))
            let decoded = stride(from: 0, to: bytes.count, by: 4).map { offset in
                Double(Float(bitPattern: bytes[offset ..< offset + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) }))
            }
            #expect(vector.count == 4 && decoded == vector.map { Double(Float($0)) })
            #expect(floats.value("usage", "prompt_tokens") as? Int == 2)
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
        }
    }
}

@Suite("Mock statistics")
struct MockStatsTests {
    @Test("A request answered again under a user already answered is counted as served again")
    func servedAgain() async throws {
        let provider = MockProvider(deployments: [SimulatedDeployment(id: "east", endpoint: .azure(tokensPerMinute: 1_000))])
        for user in ["soak-1", "soak-2", "soak-1", "soak-1"] { await provider.served(user: user) }
        #expect(await provider.statistics().servedAgain == 2)
    }

    @Test("A timeline keeps its latest buckets only, however long the mock runs")
    func timelineIsBounded() {
        var deployment = MockStats.Deployment(id: "east")
        let last = MockStats.Deployment.maxBuckets + 2_499
        for bucket in [0, 1, last] { deployment.record(status: 200, tokens: 10, charged: 12, bucket: bucket) }
        deployment.record(status: 429, tokens: 0, charged: 0, bucket: 3)
        #expect(deployment.timeline.count == MockStats.Deployment.maxBuckets)
        #expect(deployment.firstBucket == 2_500)
        #expect(deployment.timeline.last == MockStats.Counts(ok: 1, throttled: 0, serverErrors: 0, tokensServed: 10, tokensCharged: 12))
        #expect(deployment.totals == MockStats.Counts(ok: 3, throttled: 1, serverErrors: 0, tokensServed: 30, tokensCharged: 36))
    }
}
