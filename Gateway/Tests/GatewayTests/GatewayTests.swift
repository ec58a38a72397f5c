import Foundation
import HeadroomAdapters
import HeadroomConfiguration
import HeadroomCore
import HeadroomGateway
import NIOCore
import NIOPosix
import Testing

/// The live engine, configured to use the gateway as an OpenAI-compatible server.
func engine(through servers: Servers, key: String = Servers.key) throws -> HeadroomEngine {
    try HeadroomEngine(configuration: HeadroomConfiguration(deployments: [
        DeploymentSettings(id: "gateway", provider: "openai-compatible", tokensPerMinute: 10_000_000, requestsPerMinute: 10_000,
                           baseURL: "\(servers.gatewayURL)/v1", apiKeyEnvironment: "GATEWAY_KEY"),
    ]), environment: ["GATEWAY_KEY": key])
}

/// Waits for `condition`, checking every 10 ms, for at most a minute.
func waitFor(_ condition: () async -> Bool) async -> Bool {
    for _ in 0 ..< 6_000 {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return false
}

@Suite("Gateway", .timeLimit(.minutes(5)))
struct GatewayTests {
    @Test("A chat, a stream and embeddings go through the gateway to the mock and back")
    func throughTheGateway() async throws {
        try await Servers.with([azure("east"), azure("west")]) { servers in
            let engine = try engine(through: servers)
            let answer = try await engine.chat(ChatCompletionRequest(model: "gpt-4o", messages: [ChatMessage(role: "user", text: "Hello")],
                                                                     maxTokens: 10))
            let usage = try #require(answer.usage)
            #expect(usage.promptTokens == 8 && (1 ... 10).contains(usage.completionTokens))
            #expect(answer.content?.hasPrefix("Mock answer") == true)

            var deltas: [String] = []
            for try await chunk in await engine.streamChat(ChatCompletionRequest(model: "gpt-4o", messages: [ChatMessage(role: "user", text: "Hi")],
                                                                                 maxTokens: 3)) {
                deltas.append(chunk.delta ?? "")
            }
            #expect(deltas == ["", "Mock", " answer", " from", ""])

            let vectors = try await engine.embed(EmbeddingRequest(model: "gpt-4o", inputs: ["a", "b", "c"])).vectors
            #expect(vectors.count == 3 && vectors.allSatisfy { $0.count == 16 })

            let stats = await servers.gateway.stats()
            #expect(stats.requests.succeeded == 3 && stats.requests.total == 3)
            #expect(stats.deployments.map(\.succeeded).reduce(0, +) == 3)
        }
    }

    @Test("An unknown or missing key gets 401 with an OpenAI-style error, and is counted")
    func unauthorized() async throws {
        try await Servers.with([azure("east")]) { servers in
            let wrong = try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: ["authorization": "Bearer sk-nope"], body: hello)
            #expect(wrong.status == 401 && wrong.value("error", "code") as? String == "invalid_api_key")
            let missing = try await exchange("\(servers.gatewayURL)/v1/models", method: "GET")
            #expect(missing.status == 401)
            #expect(await servers.gateway.stats().requests.unauthorized == 2)
        }
    }

    @Test("A full queue answers 429 with a Retry-After of when room returns; a model nobody serves 400 with the reason")
    func backPressure() async throws {
        // One request a minute and no room to wait: the second request would have to wait.
        try await Servers.with([azure("east", requestsPerMinute: 1)], configure: {
            $0.engine.scheduler = SchedulerSettings()
            $0.engine.scheduler?.maxQueueLength = 0
        }) { servers in
            let url = "\(servers.gatewayURL)/v1/chat/completions"
            let auth = ["authorization": "Bearer \(Servers.key)"]
            #expect(try await exchange(url, headers: auth, body: hello).status == 200)
            let full = try await exchange(url, headers: auth, body: hello)
            // The one request a minute allows has gone: room returns in a minute.
            #expect(full.status == 429 && full.headers["retry-after"] == "60")
            #expect(full.value("error", "code") as? String == "queue_full" && full.value("error", "type") as? String == "rate_limit_exceeded")
            let unservable = try await exchange(url, headers: auth, body: #"{"model":"gpt-9","messages":[{"role":"user","content":"Hi"}]}"#)
            #expect(unservable.status == 400 && unservable.value("error", "code") as? String == "unservable")
            #expect((unservable.value("error", "message") as? String)?.contains("gpt-9") == true)
            let stats = await servers.gateway.stats()
            #expect(stats.requests.succeeded == 1 && stats.requests.rejected == 1 && stats.requests.invalid == 1)
        }
    }

    @Test("A request without a model, or for one no deployment has, is refused and takes no deployment out of rotation")
    func clientMistakesKeepDeploymentsInRotation() async throws {
        // The deployment lists no models, so any model reaches it, and one with no deployment name mapped is used as the name.
        try await Servers.with([azure("east")], configure: { $0.engine.deployments[0].models = nil }) { servers in
            let url = "\(servers.gatewayURL)/v1/chat/completions"
            let auth = ["authorization": "Bearer \(Servers.key)"]
            let noModel = try await exchange(url, headers: auth, body: #"{"messages":[{"role":"user","content":"Hi"}]}"#)
            #expect(noModel.status == 400 && noModel.value("error", "code") as? String == "rejected_by_provider")
            #expect((noModel.value("error", "message") as? String)?.contains("names no model") == true)
            let nullModel = try await exchange(url, headers: auth, body: #"{"model":null,"messages":[{"role":"user","content":"Hi"}]}"#)
            #expect(nullModel.status == 400)
            let bogus = try await exchange(url, headers: auth, body: #"{"model":"gpt-9","messages":[{"role":"user","content":"Hi"}]}"#)
            #expect(bogus.status == 400 && bogus.value("error", "code") as? String == "rejected_by_provider")
            #expect((bogus.value("error", "message") as? String)?.contains("404 DeploymentNotFound") == true)
            #expect(try await exchange("\(servers.gatewayURL)/readyz", method: "GET").status == 200)
            #expect(try await exchange(url, headers: auth, body: hello).status == 200)
            #expect(await servers.gateway.stats().deployments[0].outOfRotation == nil)
        }
    }

    @Test("A body nested far too deep is refused before it is decoded, and the gateway stays healthy")
    func deepNesting() async throws {
        try await Servers.with([azure("east")]) { servers in
            let auth = ["authorization": "Bearer \(Servers.key)"]
            let nested = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
            for route in ["chat/completions", "embeddings"] {
                let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"input":"x","extra":"# + nested + "}"
                let refused = try await exchange("\(servers.gatewayURL)/v1/\(route)", headers: auth, body: body)
                #expect(refused.status == 400 && refused.value("error", "code") as? String == "invalid_body")
                #expect((refused.value("error", "message") as? String)?.contains("more than 64 deep") == true)
            }
            #expect(try await exchange("\(servers.gatewayURL)/healthz", method: "GET").status == 200)
        }
    }

    @Test("A connection that sends nothing, or trickles a request head, is closed after the idle timeout", arguments: ["", "POST /v1/chat"])
    func idleConnectionsClose(_ trickle: String) async throws {
        try await Servers.with([azure("east")], configure: { $0.idleTimeoutSeconds = 0.5 }) { servers in
            let port = try #require(Int(servers.gatewayURL.split(separator: ":").last ?? ""))
            let started = ContinuousClock.now
            #expect(try await Self.readUntilClosed(port: port, sending: trickle))
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    /// Connects to `port` on loopback, sends `text`, and waits (up to 10 s) for the server to close the connection.
    static func readUntilClosed(port: Int, sending text: String) async throws -> Bool {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
        if !text.isEmpty { try await channel.writeAndFlush(ByteBuffer(string: text)).get() }
        // Closed by us after 10 s if the server has not closed it by then.
        let closedByUs = Task { () -> Bool in
            guard (try? await Task.sleep(for: .seconds(10))) != nil else { return false }
            try? await channel.close()
            return true
        }
        try? await channel.closeFuture.get()
        closedByUs.cancel()
        return await !closedByUs.value
    }

    @Test("With an operator key, stats and metrics need it, and an operator can put a deployment back in rotation")
    func operatorRoutes() async throws {
        try await Servers.with([azure("east")], configure: { $0.operatorKeyEnvironment = "OPERATOR_KEY" }) { servers in
            let operatorAuth = ["authorization": "Bearer \(Servers.operatorKey)"]
            let clientAuth = ["authorization": "Bearer \(Servers.key)"]
            #expect(try await exchange("\(servers.gatewayURL)/stats", method: "GET").status == 401)
            #expect(try await exchange("\(servers.gatewayURL)/metrics", method: "GET", headers: clientAuth).status == 401)
            #expect(try await exchange("\(servers.gatewayURL)/stats", method: "GET", headers: operatorAuth).status == 200)
            #expect(try await exchange("\(servers.gatewayURL)/metrics", method: "GET", headers: operatorAuth).status == 200)
            let enable = "\(servers.gatewayURL)/admin/deployments/east/enable"
            #expect(try await exchange(enable, headers: clientAuth).status == 401)
            let enabled = try await exchange(enable, headers: operatorAuth)
            #expect(enabled.status == 200 && enabled.value("enabled") as? String == "east")
            let unknown = try await exchange("\(servers.gatewayURL)/admin/deployments/west/enable", headers: operatorAuth)
            #expect(unknown.status == 404 && unknown.value("error", "code") as? String == "unknown_deployment")
        }
    }

    @Test("Without an operator key, operator routes are refused")
    func operatorRoutesOff() async throws {
        try await Servers.with([azure("east")]) { servers in
            let refused = try await exchange("\(servers.gatewayURL)/admin/deployments/east/enable", headers: ["authorization": "Bearer \(Servers.operatorKey)"])
            #expect(refused.status == 403 && refused.value("error", "code") as? String == "operator_routes_off")
        }
    }

    @Test("A client over its own limits waits in the queue for them, within the queue's bound")
    func clientLimits() async throws {
        try await Servers.with([azure("east", requestsPerMinute: 60_000, tokensPerMinute: 10_000_000)], configure: {
            $0.clients = [.init(name: "steady", key: "sk-steady", requestsPerMinute: 60), .init(name: "slow", key: "sk-slow", requestsPerMinute: 1)]
            $0.engine.scheduler = SchedulerSettings()
            $0.engine.scheduler?.maxQueueWaitSeconds = 3
        }) { servers in
            let url = "\(servers.gatewayURL)/v1/chat/completions"
            func send(_ count: Int, key: String) async throws -> [Int] {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0 ..< count { group.addTask { try await exchange(url, headers: ["authorization": "Bearer \(key)"], body: hello).status } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            // 60 a minute: a bucket of 60, then one a second. The 61st waits for it, and is served.
            var started = ContinuousClock.now
            let steady = try await send(61, key: "sk-steady")
            #expect(steady == Array(repeating: 200, count: 61))
            #expect(ContinuousClock.now - started >= .seconds(1))
            // 1 a minute: the second would wait a minute, past the queue's bound of 3 s.
            started = ContinuousClock.now
            let slow = try await send(2, key: "sk-slow")
            #expect(slow.sorted() == [200, 429])
            #expect(ContinuousClock.now - started >= .seconds(3))
            let clients = await servers.gateway.stats().clients
            #expect(clients.map(\.name) == ["steady", "slow"] && clients.map(\.requests) == [61, 2] && clients.map(\.rejected) == [0, 1])
        }
    }

    @Test("A client that hangs up, streaming or not, cancels its request upstream and is counted as ended", arguments: [false, true])
    func disconnectCancels(streaming: Bool) async throws {
        // The mock answers after its latency even when nobody waits, and stopping it waits for that answer.
        try await Servers.with([azure("east", latency: 5)]) { servers in
            let engine = try engine(through: servers)
            let request = ChatCompletionRequest(model: "gpt-4o", messages: [ChatMessage(role: "user", text: "Hi")])
            let call = Task {
                if streaming {
                    for try await _ in await engine.streamChat(request) {}
                } else {
                    _ = try await engine.chat(request)
                }
            }
            #expect(await waitFor { await servers.gateway.stats().inFlight == 1 })
            call.cancel()
            #expect(await waitFor {
                let stats = await servers.gateway.stats()
                return stats.requests.cancelled == 1 && stats.inFlight == 0 && stats.requests.inProgress == 0
            })
            #expect(await servers.gateway.engine.snapshot().counters.cancelled == 1)
        }
    }

    @Test("Stats, metrics, models, health and readiness answer")
    func monitoring() async throws {
        try await Servers.with([azure("east")]) { servers in
            let auth = ["authorization": "Bearer \(Servers.key)"]
            #expect(try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: auth, body: hello).status == 200)
            let stats = try await exchange("\(servers.gatewayURL)/stats", method: "GET")
            #expect(stats.value("requests", "succeeded") as? Int == 1)
            #expect(stats.value("deployments", 0, "id") as? String == "east")
            #expect(stats.value("latency_seconds", "count") as? Int == 1)
            let metrics = try await exchange("\(servers.gatewayURL)/metrics", method: "GET")
            #expect(metrics.text.contains(#"headroom_gateway_requests_total{client="test",model="gpt-4o",outcome="succeeded"} 1"# + "\n"))
            #expect(metrics.text.contains(#"headroom_deployment_in_rotation{deployment="east"} 1.0"# + "\n"))
            #expect(metrics.text.contains(#"headroom_deployment_dispatched_total{deployment="east"} 1"# + "\n"))
            let models = try await exchange("\(servers.gatewayURL)/v1/models", method: "GET", headers: auth)
            #expect(models.value("data", 0, "id") as? String == "gpt-4o")
            #expect(try await exchange("\(servers.gatewayURL)/healthz", method: "GET").status == 200)
            #expect(try await exchange("\(servers.gatewayURL)/readyz", method: "GET").status == 200)
        }
    }
}

@Suite("Gateway configuration")
struct GatewayConfigurationTests {
    private func decode(_ json: String) throws -> GatewayConfiguration {
        GatewayConfiguration(try HeadroomConfiguration.decode(Data(json.utf8)))
    }

    private let deployment = #""deployments":[{"id":"a","provider":"openai","apiKeyEnvironment":"K","requestsPerMinute":1,"tokensPerMinute":1}]"#

    @Test("The example configuration loads")
    func example() throws {
        let configuration = try GatewayConfiguration.load(path: URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().appendingPathComponent("../../Examples/gateway.json").path)
        #expect(configuration.engine.deployments.count == 3 && configuration.clients.count == 2 && configuration.port == 8080)
    }

    @Test("A misspelt field is refused, naming it; a field in the wrong section names the right one")
    func unknownField() {
        #expect(throws: HeadroomError(.invalidConfiguration, "unknown field \"gateway.client\"; check its spelling against Docs/configuration.md.")) {
            try decode("{\(deployment),\"gateway\":{\"client\":[]}}")
        }
        #expect(throws: HeadroomError(.invalidConfiguration, "unknown field \"gateway.clients\"; the gateway's clients are the top-level \"tenants\" (see Docs/configuration.md).")) {
            try decode("{\(deployment),\"gateway\":{\"clients\":[]}}")
        }
        #expect(throws: HeadroomError(.invalidConfiguration, "unknown field \"port\"; it belongs in the \"gateway\" section (see Docs/configuration.md).")) {
            try decode("{\(deployment),\"port\":8080}")
        }
    }

    @Test("A gateway without clients, or with a client that has two keys or shares one, is refused", arguments: [
        (#"[]"#, "\"tenants\" is empty; add at least one tenant with a key, the gateway does not run open."),
        (#"[{"name":"x","key":"a","keyEnvironment":"B"}]"#,
         "Tenant 'x': give exactly one of \"key\" and \"keyEnvironment\"; the gateway lets a tenant in by its key."),
        (#"[{"name":"x","key":"a"},{"name":"y","key":"a"}]"#, "Tenant 'y' has the same key as another; give each its own."),
        (#"[{"name":"x","keyEnvironment":"UNSET"}]"#, "Tenant 'x': The environment variable UNSET is not set or empty; set it to the API key."),
        (#"[{"name":"x","key":"a","requestsPerMinute":0}]"#, "Tenant 'x': requestsPerMinute is 0; it must be from 1 to 1,000,000,000,000, or left out."),
    ])
    func badClients(clients: String, message: String) throws {
        let configuration = try decode("{\(deployment),\"tenants\":\(clients)}")
        #expect(throws: HeadroomError(.invalidConfiguration, message)) {
            try Gateway(configuration: configuration, environment: ["K": "k"])
        }
    }
}
