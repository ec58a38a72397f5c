import Foundation
import HeadroomAdapters
import HeadroomConfiguration
import HeadroomCore
import Testing

/// A transport that answers from a script, per deployment URL, and records what it was sent.
actor ScriptedTransport: HTTPTransport {
    enum Reply {
        case respond(Int, headers: [String: String] = [:], body: [String], breakAfterBody: Bool = false)
        case hang
    }

    private var script: [String: [Reply]]
    private(set) var sent: [HTTPRequestData] = [] { didSet { wakeWatchers() } }
    private(set) var cancelled = 0 { didSet { wakeWatchers() } }
    private var watchers: [(condition: () -> Bool, continuation: CheckedContinuation<Void, Never>)] = []

    init(_ script: [String: [Reply]]) {
        self.script = script
    }

    /// Returns once `count` requests have been sent: no polling and no wall-clock deadline, so a busy machine
    /// cannot turn a slow test into a failing one (the suite's time limit catches a test that truly hangs).
    func waitUntilSent(_ count: Int) async {
        await waitUntil { self.sent.count >= count }
    }

    /// Returns once a hanging request has seen its cancellation.
    func waitUntilCancelled() async {
        await waitUntil { self.cancelled > 0 }
    }

    private func waitUntil(_ condition: @escaping () -> Bool) async {
        if condition() { return }
        await withCheckedContinuation { watchers.append((condition, $0)) }
    }

    private func wakeWatchers() {
        let split = watchers.partition { $0.condition() }
        for watcher in watchers[split...] { watcher.continuation.resume() }
        watchers.removeSubrange(split...)
    }

    func send(_ request: HTTPRequestData, timeout: Duration) async throws -> HTTPResponseStream {
        sent.append(request)
        guard let key = script.keys.sorted().first(where: { request.url.contains($0) }), let reply = script[key]?.first else {
            throw URLError(.cannotConnectToHost)
        }
        script[key]?.removeFirst()
        switch reply {
        case .respond(let status, let headers, let chunks, let breakAfterBody):
            let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
            for chunk in chunks { continuation.yield(Array(chunk.utf8)) }
            if breakAfterBody { continuation.finish(throwing: URLError(.networkConnectionLost)) } else { continuation.finish() }
            return HTTPResponseStream(status: status, headers: headers, body: stream)
        case .hang:
            do {
                try await Task.sleep(for: .seconds(3_600))
            } catch {
                cancelled += 1
                throw error
            }
            throw URLError(.timedOut)
        }
    }
}

let keys = ["EAST_KEY": "east-secret", "WEST_KEY": "west-secret"]

/// Engine settings changed by `change`.
func engine(_ change: (inout EngineSettings) -> Void) -> EngineSettings {
    var settings = EngineSettings()
    change(&settings)
    return settings
}

func twoAzureDeployments(maxQueueLength: Int? = nil, concurrency: Int? = nil) -> HeadroomConfiguration {
    var scheduler = SchedulerSettings()
    scheduler.maxQueueLength = maxQueueLength
    return HeadroomConfiguration(deployments: [
        DeploymentSettings(id: "east", provider: "azure", tokensPerMinute: 100_000, requestsPerMinute: 600, models: ["gpt-4o"],
                           maxConcurrency: concurrency, endpoint: "https://east.openai.azure.com", apiKeyEnvironment: "EAST_KEY",
                           deploymentNames: ["gpt-4o": "gpt4o-east"]),
        DeploymentSettings(id: "west", provider: "azure", tokensPerMinute: 50_000, requestsPerMinute: 300, models: ["gpt-4o"],
                           maxConcurrency: concurrency, endpoint: "https://west.openai.azure.com", apiKeyEnvironment: "WEST_KEY"),
    ], scheduler: scheduler)
}

let completion = #"{"choices":[{"message":{"role":"assistant","content":"Hello!"}}],"usage":{"prompt_tokens":9,"completion_tokens":2}}"#
let hello = ChatCompletionRequest(model: "gpt-4o", messages: [ChatMessage(role: "user", text: "Hi")], maxCompletionTokens: 50)

func chunk(_ text: String) -> String { #"data: {"choices":[{"delta":{"content":"\#(text)"}}]}"# + "\n\n" }

@Suite("Live engine", .timeLimit(.minutes(5)))
struct EngineTests {
    @Test("A chat goes to the deployment with the most headroom, with the right request, and returns the answer")
    func chat() async throws {
        let transport = ScriptedTransport(["east": [.respond(200, headers: ["x-ratelimit-remaining-tokens": "99000"], body: [completion])]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        let answer = try await engine.chat(hello)
        #expect(answer.content == "Hello!" && answer.usage == Usage(promptTokens: 9, completionTokens: 2))
        let sent = await transport.sent
        #expect(sent.map(\.url) == ["https://east.openai.azure.com/openai/deployments/gpt4o-east/chat/completions?api-version=2024-10-21"])
        #expect(sent.first?.header("api-key") == "east-secret")
        #expect(await engine.snapshot().counters.succeeded == 1)
    }

    @Test("A 429 sends the retry to the other deployment")
    func throttledMovesOn() async throws {
        let transport = ScriptedTransport([
            "east": [.respond(429, headers: ["retry-after-ms": "30000"], body: [#"{"error":{"message":"exceeded token rate limit"}}"#])],
            "west": [.respond(200, body: [completion])],
        ])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        #expect(try await engine.chat(hello).content == "Hello!")
        #expect(await transport.sent.map { URL(string: $0.url)!.host! } == ["east.openai.azure.com", "west.openai.azure.com"])
        let snapshot = await engine.snapshot()
        #expect(snapshot.counters.throttled == 1 && snapshot.deployments[0].blockedUntil != nil)
    }

    @Test("Headers showing less room than the engine counted are told on calibrations, with how long they hold")
    func calibrationNotices() async throws {
        let transport = ScriptedTransport([
            "east": [.respond(200, headers: ["x-ratelimit-remaining-tokens": "10", "x-ratelimit-remaining-requests": "500"], body: [completion])],
        ])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        _ = try await engine.chat(hello)
        var notices = engine.calibrations.makeAsyncIterator()
        let held = await notices.next()
        #expect(held?.deployment == "east")
        #expect(held?.message.hasPrefix("Deployment 'east': its rate-limit headers show less room than Headroom counted (10 tokens left); held to them for ") == true)
        #expect(await engine.snapshot().deployments[0].serverView?.remainingTokens == 10)
    }

    @Test("A client's absurd max_tokens or n is refused as an invalid job, never trapped on", arguments: [
        (Int.max, 1), (3_000_000_000_000_000_000, 4), (1_000_000_000_001, 1), (10, Int.max),
    ])
    func absurdOutputLimits(_ maxTokens: Int, _ n: Int) async throws {
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: ScriptedTransport([:]), environment: keys)
        var request = hello
        request.maxCompletionTokens = maxTokens
        request.n = n
        await #expect(throws: HeadroomError.self) { _ = try await engine.chat(request) }
        #expect(engine.estimatedTokens(for: try APIRequest(.chatCompletions, bytes: Array(JSONEncoder().encode(request)))) >= 1_000_000_000_000)
        #expect(await engine.snapshot().counters.rejected == 1)
    }

    @Test("An upstream's absurd usage settles within bounds and the deployment goes on serving")
    func absurdUpstreamUsage() async throws {
        let huge = #"{"choices":[{"message":{"role":"assistant","content":"Hi"}}],"usage":{"prompt_tokens":9223372036854775807,"completion_tokens":9223372036854775807}}"#
        let transport = ScriptedTransport(["east": [.respond(200, body: [huge])], "west": [.respond(200, body: [completion])]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        #expect(try await engine.chat(hello).usage?.totalTokens == Int.max)
        // The charge settles at the largest quota: east has nothing left this minute, and the next request goes west.
        #expect(await engine.snapshot().deployments[0].remainingTokens == 0)
        #expect(try await engine.chat(hello).content == "Hello!")
        #expect(await transport.sent.map { URL(string: $0.url)!.host! } == ["east.openai.azure.com", "west.openai.azure.com"])
    }

    @Test("A provider that echoes the key has it taken out of what the caller, the snapshot and the notices see")
    func echoedKeyIsRedacted() async throws {
        let echo = #"{"error":{"message":"Incorrect API key provided: east-secret. You can find your API key at https://east.openai.azure.com/keys.","code":"invalid_api_key"}}"#
        let transport = ScriptedTransport(["east": [.respond(401, body: [echo])]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        await #expect(throws: HeadroomError.self) { _ = try await engine.chat(hello) }
        var notices = engine.notices.makeAsyncIterator()
        let notice = try #require(await notices.next())
        let reason = try #require(await engine.snapshot().deployments[0].outOfRotation)
        for text in [notice.message, reason] {
            #expect(!text.contains("east-secret") && !text.contains("east.openai.azure.com"))
            #expect(text.contains("Incorrect API key provided: <redacted>."))
        }
    }

    @Test("A refused key takes the deployment out of rotation; its work goes elsewhere")
    func refusedKey() async throws {
        let transport = ScriptedTransport([
            "east": [.respond(401, body: [#"{"error":{"message":"Access denied due to invalid subscription key.","code":"401"}}"#])],
            "west": [.respond(200, body: [completion]), .respond(200, body: [completion])],
        ])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        _ = try await engine.chat(hello)
        _ = try await engine.chat(hello)
        #expect(await transport.sent.count == 3)
        #expect(await engine.snapshot().deployments[0].outOfRotation == "401: Access denied due to invalid subscription key.")
        var notices = engine.notices.makeAsyncIterator()
        let notice = await notices.next()
        #expect(notice?.message == "Deployment 'east' is out of rotation: 401: Access denied due to invalid subscription key. Fix its credentials or configuration, then enable it.")
    }

    @Test("A request no adapter can build ends at once, and the engine goes on serving")
    func unbuildableRequest() async throws {
        let transport = ScriptedTransport(["east": [.respond(200, body: [completion])], "west": [.respond(200, body: [completion])]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        // Azure chooses the deployment by the model; a body naming none cannot be sent.
        let error = await #expect(throws: HeadroomError.self) {
            try await engine.chat(ChatCompletionRequest(messages: [ChatMessage(role: "user", text: "Hi")], maxCompletionTokens: 5))
        }
        #expect(error?.kind == .rejectedByProvider && error?.message.contains("names no model") == true)
        #expect(await transport.sent.isEmpty)
        #expect(try await engine.chat(hello).content == "Hello!")
    }

    @Test("Shutting down drains what is under way, or cancels it, and refuses new work")
    func shutdown() async throws {
        let transport = ScriptedTransport(["east": [.respond(200, body: [completion])], "west": [.hang]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        let served = Task { try await engine.chat(hello) }
        await transport.waitUntilSent(1)
        await engine.shutdown(drain: true)
        #expect(try await served.value.content == "Hello!")
        let refused = await #expect(throws: HeadroomError.self) { try await engine.chat(hello) }
        #expect(refused?.kind == .shutDown)

        let hanging = ScriptedTransport(["east": [.hang]])
        let other = try HeadroomEngine(configuration: twoAzureDeployments(), transport: hanging, environment: keys)
        let stuck = Task { try await other.chat(hello) }
        await hanging.waitUntilSent(1)
        await other.shutdown()
        await #expect(throws: CancellationError.self) { try await stuck.value }
    }

    @Test("Cancelling the caller cancels the request in flight")
    func cancellation() async throws {
        let transport = ScriptedTransport(["east": [.hang]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        let call = Task { try await engine.chat(hello) }
        await transport.waitUntilSent(1)
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        await transport.waitUntilCancelled()
        let snapshot = await engine.snapshot()
        #expect(snapshot.counters.cancelled == 1 && snapshot.inFlight == 0)
    }

    @Test("A full queue refuses the request with the scheduler's error")
    func queueFull() async throws {
        let transport = ScriptedTransport(["east": [.hang], "west": [.hang]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(maxQueueLength: 0, concurrency: 1), transport: transport, environment: keys)
        let first = Task { try await engine.chat(hello) }
        let second = Task { try await engine.chat(hello) }
        await transport.waitUntilSent(2)
        do {
            _ = try await engine.chat(hello)
            Issue.record("expected queueFull")
        } catch let error as HeadroomError {
            #expect(error.kind == .queueFull)
        }
        first.cancel()
        second.cancel()
        _ = await (first.result, second.result)
    }

    @Test("A stream is relayed chunk by chunk")
    func streaming() async throws {
        let transport = ScriptedTransport(["east": [.respond(200, body: [chunk("Hel"), chunk("lo"), "data: [DONE]\n\n"])]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        var deltas: [String] = []
        for try await piece in await engine.streamChat(hello) { deltas.append(piece.delta ?? "") }
        #expect(deltas == ["Hel", "lo"])
        let body = try #require(await transport.sent.first?.body)
        #expect(String(decoding: body, as: UTF8.self).contains(#""stream":true"#))
    }

    @Test("A stream that fails before its first chunk is retried")
    func streamRetriedBeforeFirstChunk() async throws {
        let transport = ScriptedTransport([
            "east": [.respond(503, body: [""])],
            "west": [.respond(200, body: [chunk("ok"), "data: [DONE]\n\n"])],
        ])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        var deltas: [String] = []
        for try await piece in await engine.streamChat(hello) { deltas.append(piece.delta ?? "") }
        let sentCount = await transport.sent.count
        #expect(deltas == ["ok"] && sentCount == 2)
    }

    @Test("A stream that breaks, or stops without [DONE], after a chunk reached the caller ends with the error and is not retried",
          arguments: [(true, "the stream broke after 1 chunk(s)"), (false, "it ended without [DONE]")])
    func streamNotRetriedAfterFirstChunk(_ breaks: Bool, _ reason: String) async throws {
        let transport = ScriptedTransport(["east": [.respond(200, body: [chunk("par")], breakAfterBody: breaks)], "west": []])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        var deltas: [String] = []
        do {
            for try await piece in await engine.streamChat(hello) { deltas.append(piece.delta ?? "") }
            Issue.record("expected the stream to fail")
        } catch let error as HeadroomError {
            #expect(error.kind == .brokenAnswer && error.message.contains(reason))
        }
        let sentCount = await transport.sent.count
        #expect(deltas == ["par"] && sentCount == 1)
        #expect(await engine.snapshot().counters.succeeded == 0)
    }

    @Test("An answer that breaks off after a 200 is not sent again: the provider accepted it")
    func acceptedAttemptNotRetried() async throws {
        let transport = ScriptedTransport(["east": [.respond(200, body: [#"{"choices":[{"mess"#], breakAfterBody: true)],
                                           "west": [.respond(200, body: [completion])]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        let error = await #expect(throws: HeadroomError.self) { _ = try await engine.chat(hello) }
        #expect(error?.kind == .brokenAnswer)
        #expect(await transport.sent.count == 1)
    }

    /// An upstream's answer after a 200 head that the engine must not take, and a sentence its error says.
    struct BrokenAnswer: Sendable, CustomTestStringConvertible {
        var label: String
        var streaming: Bool
        var body: [String]
        var breaks = false
        var says: String
        var testDescription: String { label }
    }

    @Test("An answer the provider accepted and then broke is a broken answer: not sent again, its text never shown", arguments: [
        BrokenAnswer(label: "not JSON", streaming: false, body: ["<html>sk-secret-in-a-page</html>"], says: "is not a JSON object"),
        BrokenAnswer(label: "nested 100 deep", streaming: false, body: [String(repeating: "[", count: 100) + String(repeating: "]", count: 100)],
                     says: "nests deeper than 64"),
        BrokenAnswer(label: "larger than maxAnswerBytes", streaming: false, body: [String(repeating: "x", count: 1_000), String(repeating: "y", count: 1_000)],
                     says: "larger than 1024 bytes"),
        BrokenAnswer(label: "a stream's event larger than maxAnswerBytes", streaming: true, body: ["data: " + String(repeating: "z", count: 2_000)],
                     says: "larger than 1024 bytes"),
        BrokenAnswer(label: "a stream that stops before its first chunk", streaming: true, body: [": keep-alive\n\n"], breaks: true,
                     says: "the stream broke after 0 chunk(s)"),
        BrokenAnswer(label: "a stream that is plain JSON", streaming: true, body: [completion], says: "it ended without [DONE]"),
        BrokenAnswer(label: "a stream whose chunk nests 100 deep", streaming: true,
                     body: ["data: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n\n"], says: "nests deeper than 64"),
    ])
    func brokenAnswers(_ answer: BrokenAnswer) async throws {
        let transport = ScriptedTransport(["east": [.respond(200, body: answer.body, breakAfterBody: answer.breaks)],
                                           "west": [.respond(200, body: [completion])]])
        var configuration = twoAzureDeployments()
        configuration.engine = engine { $0.maxAnswerBytes = 1_024 }
        let engine = try HeadroomEngine(configuration: configuration, transport: transport, environment: keys)
        do {
            if answer.streaming {
                for try await _ in await engine.streamChat(hello) {}
            } else {
                _ = try await engine.chat(hello)
            }
            Issue.record("expected a broken answer")
        } catch let error as HeadroomError {
            #expect(error.kind == .brokenAnswer)
            #expect(error.message.contains(answer.says), "\(error.message)")
            #expect(!error.message.contains("secret"))
        }
        #expect(await transport.sent.count == 1)
    }

    @Test("A status no API answers with is the upstream's fault: the request goes to another deployment")
    func impossibleStatusIsRetriedElsewhere() async throws {
        let transport = ScriptedTransport(["east": [.respond(999, body: ["?"])], "west": [.respond(200, body: [completion])]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        let answer = try await engine.chat(hello)
        #expect(answer.content == "Hello!")
        #expect(await transport.sent.count == 2)
    }

    @Test("A request's body goes upstream as sent, with its own header fields but never one in place of the adapter's")
    func bytesAndFieldsThrough() async throws {
        let transport = ScriptedTransport(["east": [.respond(200, headers: ["x-request-id": "r-1"], body: [completion])]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        let text = #"{ "model" : "gpt-4o", "messages":[{"role":"user","content":"Hi"}], "temperature":0.70 }"#
        var request = try APIRequest(.chatCompletions, bytes: Array(text.utf8))
        request.headers = [HTTPField("x-trace", "t-1"), HTTPField("API-Key", "client-key"), HTTPField("Authorization", "Bearer client"),
                           HTTPField("content-length", "1")]
        let answer = try await engine.send(request)
        #expect(String(decoding: answer.body, as: UTF8.self) == completion)
        #expect(answer.head.headers["x-request-id"] == "r-1" && answer.head.deployment == "east" && answer.head.attempt == 1 && answer.usage == Usage(promptTokens: 9, completionTokens: 2))
        let sent = try #require(await transport.sent.first)
        // Azure's deployments route names the deployment in the path: only the missing output limit is added.
        #expect(String(decoding: sent.body, as: UTF8.self) == String(text.dropLast()) + #","max_tokens":4096}"#)
        #expect(sent.headers.map(\.name) == ["api-key", "Content-Type", "x-trace"])
        #expect(sent.header("api-key") == "east-secret")
    }

    @Test("A request with a nearer deadline than those under way still ends at its own")
    func nearerDeadlineAfterAFartherOne() async throws {
        let transport = ScriptedTransport(["east": [.hang, .hang], "west": [.hang, .hang]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        let patient = Task { try await engine.chat(hello) }
        try await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        await #expect(throws: HeadroomError.self) { _ = try await engine.chat(hello, deadline: .milliseconds(300)) }
        #expect(ContinuousClock.now - started < .seconds(5))
        patient.cancel()
        await #expect(throws: CancellationError.self) { _ = try await patient.value }
    }

    @Test("A request whose upstream never answers ends at the request's deadline, its attempt abandoned")
    func requestDeadlineBoundsAHungUpstream() async throws {
        let transport = ScriptedTransport(["east": [.hang], "west": [.hang]])
        var configuration = twoAzureDeployments()
        configuration.engine = engine { $0.requestTimeoutSeconds = 0.5 }
        let engine = try HeadroomEngine(configuration: configuration, transport: transport, environment: keys)
        let started = ContinuousClock.now
        do {
            _ = try await engine.chat(hello)
            Issue.record("expected the request to fail")
        } catch let error as HeadroomError {
            #expect(error.kind == .deadlineExceeded)
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        await transport.waitUntilCancelled()
        #expect(await transport.sent.count == 1)
    }

    @Test("Embeddings return their vectors")
    func embeddings() async throws {
        let transport = ScriptedTransport(["east": [.respond(200, body: [#"{"data":[{"embedding":[0.5,-1,2]}],"usage":{"prompt_tokens":3,"total_tokens":3}}"#])]])
        let engine = try HeadroomEngine(configuration: twoAzureDeployments(), transport: transport, environment: keys)
        let response = try await engine.embed(EmbeddingRequest(model: "gpt-4o", inputs: ["vector me"]))
        #expect(response.vectors == [[0.5, -1, 2]])
    }

    @Test("A missing key is named, never shown; a bad provider is refused")
    func configurationErrors() throws {
        #expect(throws: HeadroomError(.invalidConfiguration, "The environment variable WEST_KEY is not set or empty; set it to the API key.")) {
            try HeadroomEngine(configuration: twoAzureDeployments(), transport: ScriptedTransport([:]), environment: ["EAST_KEY": "x"])
        }
        let bad = HeadroomConfiguration(deployments: [DeploymentSettings(id: "x", provider: "gcp", tokensPerMinute: 1, apiKeyEnvironment: "EAST_KEY")])
        #expect(throws: HeadroomError(.invalidConfiguration, "Deployment 'x': provider is 'gcp'; use \"anthropic\", \"azure\", \"openai\" or \"openai-compatible\".")) {
            try HeadroomEngine(configuration: bad, transport: ScriptedTransport([:]), environment: keys)
        }
    }

    @Test("A configuration file that does not decode names the field and what it wants", arguments: [
        (#"{"deployments": [{"id": "a", "provider": "openai", "apiKeyEnvironment": "K", "requestsPerMinute": 5}]}"#,
         #"deployments[0]: the field "tokensPerMinute" is missing."#),
        (#"{"deployments": [{"id": "a", "provider": "openai", "apiKeyEnvironment": "K", "requestsPerMinute": "many", "tokensPerMinute": 5}]}"#,
         "deployments[0].requestsPerMinute: expected a whole number."),
    ])
    func configurationFile(_ json: String, _ problem: String) throws {
        let path = NSTemporaryDirectory() + "headroom-engine-\(UUID().uuidString).json"
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: HeadroomError(.invalidConfiguration, "\(path): \(problem)")) { try HeadroomConfiguration.load(path: path) }
    }

    /// A configuration value out of range, and what the engine says of it.
    struct OutOfRange: Sendable, CustomTestStringConvertible {
        var problem: String
        var apply: @Sendable (inout HeadroomConfiguration) -> Void
        var testDescription: String { problem }
    }

    @Test("Timeouts and bounds out of range are refused naming the field, never trapped on", arguments: [
        OutOfRange(problem: "engine.attemptTimeoutSeconds is 1e+300; it must be from 0.001 to 604800.0.") { $0.engine = engine { $0.attemptTimeoutSeconds = 1e300 } },
        OutOfRange(problem: "engine.requestTimeoutSeconds is -1.0; it must be from 0.001 to 604800.0.") { $0.engine = engine { $0.requestTimeoutSeconds = -1 } },
        OutOfRange(problem: "engine.requestTimeoutSeconds is nan; it must be from 0.001 to 604800.0.") { $0.engine = engine { $0.requestTimeoutSeconds = .nan } },
        OutOfRange(problem: "engine.maxAnswerBytes is 10; it must be from 1024 to 1073741824.") { $0.engine = engine { $0.maxAnswerBytes = 10 } },
        OutOfRange(problem: "engine.maxKeptAnswerBytes is -1; it must be from 0 to 1099511627776.") { $0.engine = engine { $0.maxKeptAnswerBytes = -1 } },
        // Found by fuzzing the configuration loader: the conversion to a duration trapped.
        OutOfRange(problem: "scheduler.maxQueueWaitSeconds is 1e+300; it must be above 0 and at most 10,000,000 (about four months), or left out.") {
            $0.scheduler?.maxQueueWaitSeconds = 1e300
        },
        OutOfRange(problem: "engine.defaultMaxTokens is 0; it must be from 1 to 1000000000.") { $0.engine = engine { $0.defaultMaxTokens = 0 } },
    ])
    func limitsOutOfRange(_ value: OutOfRange) {
        var configuration = twoAzureDeployments()
        value.apply(&configuration)
        #expect(throws: HeadroomError(.invalidConfiguration, value.problem)) {
            try HeadroomEngine(configuration: configuration, transport: ScriptedTransport([:]), environment: keys)
        }
    }

    @Test("A chat that sets no output limit goes upstream with the configured default, so reservation and charge agree", arguments: [
        (#"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#, #""max_tokens":777"#),
        (#"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"max_tokens":12}"#, #""max_tokens":12"#),
        (#"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":30}"#, #""max_completion_tokens":30"#),
    ])
    func defaultOutputLimitGoesUpstream(_ json: String, _ sent: String) async throws {
        let transport = ScriptedTransport(["east": [.respond(200, body: [completion])]])
        var configuration = twoAzureDeployments()
        configuration.engine = engine { $0.defaultMaxTokens = 777 }
        let engine = try HeadroomEngine(configuration: configuration, transport: transport, environment: keys)
        let request = try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(json.utf8))
        _ = try await engine.chat(request)
        let body = String(decoding: try #require(await transport.sent.first?.body), as: UTF8.self)
        #expect(body.contains(sent), "\(body)")
        #expect(!(body.contains("max_tokens") && body.contains("max_completion_tokens")))
    }
}
