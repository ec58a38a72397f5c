import Foundation
import HeadroomAdapters
import HeadroomCore
import HeadroomSimulator
import HeadroomTokenizers
import HTTPTypes
import HeadroomServerSupport
import Hummingbird

/// A fake Azure OpenAI, OpenAI and Anthropic over real HTTP: every deployment of a
/// scenario on one port, rate-limiting, answering late and failing the way the
/// simulator's mock endpoints do, in real time.
///
/// Routes, for a deployment `ID` of the scenario:
/// - Azure: `POST /openai/deployments/ID/chat/completions?api-version=…` and
///   `…/embeddings`; the v1 route `POST /openai/v1/chat/completions` with
///   `"model": "ID"`;
/// - OpenAI: `POST /ID/v1/chat/completions` and `…/embeddings`, or
///   `POST /v1/chat/completions` for the first deployment serving the model;
/// - Anthropic: `POST /ID/v1/messages`, or `POST /v1/messages` for the first
///   deployment serving the model (an Anthropic deployment's answers, headers and
///   errors are Anthropic's);
/// - the Batch API for batch deployments (see `MockServer+Batch.swift`);
/// - `GET /mock/stats`: counts and a timeline per deployment; `GET /mock/batches`: the Batch API's counts.
///
/// ```swift
/// let mock = try MockServer(scenario: .builtIn())
/// try await mock.application(port: 9000).runService()
/// ```
public struct MockServer: Sendable {
    /// The deployments and their state.
    public let provider: MockProvider
    /// The batch deployments' files and batches.
    public let batches: MockBatches
    let tokenizer: BPETokenizer

    /// The largest request body accepted.
    static let maxBody = 32 << 20

    /// Serves `deployments`; `seed` fixes latency jitter, faults and answer lengths.
    public init(deployments: [SimulatedDeployment], seed: UInt64 = 1, bucketSeconds: Double = 10) throws(HeadroomError) {
        provider = MockProvider(deployments: deployments, seed: seed, bucketSeconds: bucketSeconds)
        batches = MockBatches(deployments: deployments, seed: seed)
        tokenizer = try .load(.o200k)
    }

    /// Serves the deployments of `scenario`, with its seed and timeline buckets.
    public init(scenario: Scenario) throws(HeadroomError) {
        try self.init(deployments: scenario.deployments, seed: scenario.seed, bucketSeconds: scenario.bucketSeconds)
    }

    /// The routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        for operation in Operation.allCases where operation != .messages {
            router.post(RouterPath("openai/deployments/:deployment/\(operation.rawValue)")) { request, context in
                guard request.uri.queryParameters["api-version"] != nil else {
                    return JSONReply.error(400, "The api-version query parameter is missing; add ?api-version=2024-10-21.",
                                           type: "invalid_request_error", code: "missing_api_version")
                }
                return try await serve(request, operation, deployment: .fixed(context.parameters.get("deployment").flatMap(provider.index(of:))))
            }
            router.post(RouterPath("openai/v1/\(operation.rawValue)")) { request, _ in
                try await serve(request, operation, deployment: .namedByModel)
            }
        }
        for operation in Operation.allCases {
            router.post(RouterPath("v1/\(operation.rawValue)")) { request, _ in
                try await serve(request, operation, deployment: .servingModel)
            }
            router.post(RouterPath(":deployment/v1/\(operation.rawValue)")) { request, context in
                try await serve(request, operation, deployment: .fixed(context.parameters.get("deployment").flatMap(provider.index(of:))))
            }
        }
        router.get("mock/stats") { _, _ in
            JSONReply.response(200, JSONReply.encode(await provider.statistics()))
        }
        router.get("mock/batches") { _, _ in
            JSONReply.response(200, JSONReply.encode(await batches.counts()))
        }
        addBatchRoutes(to: router)
        return router
    }

    /// The server on `host`:`port` (0 picks a free port); `onRunning` is told the port once it listens.
    public func application(host: String = "127.0.0.1", port: Int,
                            onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "headroom-mock"),
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) })
    }

    // MARK: Serving

    private enum Operation: String, CaseIterable {
        case chat = "chat/completions"
        case embeddings
        case messages
    }

    private enum Target {
        case fixed(Int?)
        case namedByModel
        case servingModel
    }

    private func serve(_ request: Request, _ operation: Operation, deployment target: Target) async throws -> Response {
        guard request.headers[HTTPField.Name("api-key")!] != nil || request.headers[HTTPField.Name("x-api-key")!] != nil
                || request.headers[.authorization]?.hasPrefix("Bearer ") == true else {
            return JSONReply.error(401, "Access denied due to a missing key. Send an api-key or x-api-key header, or Authorization: Bearer.",
                                   type: "invalid_request_error", code: "401")
        }
        let body = Array(buffer: try await request.body.collect(upTo: Self.maxBody))
        switch operation {
        case .messages:
            guard let message = try? APIRequest(.messages, bytes: body) else {
                return JSONReply.response(400, JSONReply.anthropicErrorBody("The body is not a message request with \"messages\".", type: "invalid_request_error"))
            }
            guard let index = resolve(target, model: message.model) else {
                return JSONReply.response(404, JSONReply.anthropicErrorBody("No deployment here serves '\(message.model ?? "")'.", type: "not_found_error"))
            }
            return await respond(to: message, at: index)
        case .chat:
            guard let chat = try? JSONDecoder().decode(ChatCompletionRequest.self, from: Data(body)) else {
                return Self.invalidBody("a chat completion request with \"messages\"")
            }
            guard let index = resolve(target, model: chat.model) else { return Self.unknownDeployment(chat.model) }
            return await complete(chat, at: index)
        case .embeddings:
            guard let embedding = try? JSONDecoder().decode(EmbeddingRequest.self, from: Data(body)) else {
                return Self.invalidBody("an embedding request with \"input\"")
            }
            guard let index = resolve(target, model: embedding.model) else { return Self.unknownDeployment(embedding.model) }
            return await embed(embedding, at: index)
        }
    }

    /// A body field the mock reads as the answer's length in tokens (at most the request's `max_tokens`),
    /// so that a replay through a gateway can repeat a simulated workload exactly.
    public static let outputTokensField = "mock_output_tokens"

    /// The deployment a synchronous request goes to: never a batch one.
    private func resolve(_ target: Target, model: String?) -> Int? {
        let index = switch target {
        case .fixed(let index): index
        case .namedByModel: model.flatMap(provider.index(of:))
        case .servingModel: provider.index(serving: model)
        }
        return index.flatMap { provider.deployments[$0].batch == nil ? $0 : nil }
    }

    private func complete(_ chat: ChatCompletionRequest, at index: Int) async -> Response {
        let messages = chat.messages.map { (role: $0.role, content: $0.text, name: $0.name) }
        let prompt = ChatTokenCount.count(messages, using: tokenizer)
        let maxTokens = chat.outputLimit ?? 4_096
        // A replay that must agree with a simulation names each answer's length (see headroom-compare).
        var outputTokens: Int?
        if case .integer(let asked) = chat.extra[Self.outputTokensField] { outputTokens = asked }
        let arrival = await provider.arrive(at: index, promptTokens: prompt, maxTokens: maxTokens, outputTokens: outputTokens)
        guard arrival.response.status == 200 else { return await refuse(arrival, at: index) }
        if case .string(let user) = chat.extra["user"] { await provider.served(user: user) }
        let id = "chatcmpl-mock-\(UUID().uuidString.prefix(8).lowercased())"
        let model = chat.model ?? modelName(at: index)
        let headers = headers(arrival, at: index)
        if chat.stream == true {
            let includeUsage = chat.extra["stream_options"] == .object(["include_usage": .bool(true)])
            let tokens = arrival.completionTokens
            let start = MockReplies.chunk(id: id, model: model, delta: .init(role: "assistant", content: ""))
            let words = MockReplies.text(tokens: tokens).map { MockReplies.chunk(id: id, model: model, delta: .init(content: $0)) }
            var end = MockReplies.chunk(id: id, model: model, delta: .init(), finishReason: tokens < maxTokens ? "stop" : "length")
            if includeUsage {
                end += MockReplies.chunk(id: id, model: model, delta: nil, usage: .init(
                    promptTokens: prompt, completionTokens: tokens, totalTokens: prompt + tokens))
            }
            return Response(status: .ok, headers: JSONReply.fields(headers + [("content-type", "text/event-stream")]),
                            body: stream(arrival, at: index, start: start, words: words, end: end + "data: [DONE]\n\n"))
        }
        try? await Task.sleep(for: arrival.delay)
        await provider.finished(at: index)
        return JSONReply.response(200, MockReplies.completion(id: id, model: model, promptTokens: prompt, completionTokens: arrival.completionTokens,
                                                      maxTokens: maxTokens), headers: headers)
    }

    /// Sends a streamed answer: `start` after the time to first token, the `words` evenly until the answer is due, then `end`.
    private func stream(_ arrival: MockProvider.Arrival, at index: Int, start: String, words: [String], end: String) -> ResponseBody {
        let latency = provider.deployments[index].endpoint.latency
        let tokens = arrival.completionTokens
        let nominal = latency.firstTokenSeconds + latency.perOutputTokenSeconds * Double(tokens)
        let firstShare = nominal > 0 ? latency.firstTokenSeconds / nominal : 1
        let first = arrival.delay * firstShare
        let gap = tokens > 0 ? (arrival.delay - first) / tokens : .zero
        let provider = self.provider
        return ResponseBody { writer in
            do {
                try await Task.sleep(for: first)
                try await writer.write(ByteBuffer(string: start))
                for word in words {
                    try await Task.sleep(for: gap)
                    try await writer.write(ByteBuffer(string: word))
                }
                try await writer.write(ByteBuffer(string: end))
                await provider.finished(at: index)
                try await writer.finish(nil)
            } catch {
                await provider.finished(at: index)
                throw error
            }
        }
    }

    /// Answers a message in Anthropic's format, streamed when it asks.
    private func respond(to message: APIRequest, at index: Int) async -> Response {
        let prompt = ChatTokenCount.count(message.messages, using: tokenizer)
        guard let maxTokens = message.outputLimit else {
            return JSONReply.response(400, JSONReply.anthropicErrorBody("max_tokens: Field required", type: "invalid_request_error"))
        }
        var outputTokens: Int?
        if case .integer(let asked)? = message.fields[Self.outputTokensField] { outputTokens = asked }
        let arrival = await provider.arrive(at: index, promptTokens: prompt, maxTokens: maxTokens, outputTokens: outputTokens)
        guard arrival.response.status == 200 else { return await refuse(arrival, at: index) }
        let id = "msg_mock_\(UUID().uuidString.prefix(8).lowercased())"
        let model = message.model ?? modelName(at: index)
        let headers = headers(arrival, at: index)
        guard message.isStreaming else {
            try? await Task.sleep(for: arrival.delay)
            await provider.finished(at: index)
            return JSONReply.response(200, MockReplies.message(id: id, model: model, promptTokens: prompt, completionTokens: arrival.completionTokens,
                                                               maxTokens: maxTokens), headers: headers)
        }
        let events = MockReplies.messageEvents(id: id, model: model, promptTokens: prompt, completionTokens: arrival.completionTokens,
                                               maxTokens: maxTokens)
        return Response(status: .ok, headers: JSONReply.fields(headers + [("content-type", "text/event-stream")]),
                        body: stream(arrival, at: index, start: events.start, words: events.words, end: events.end))
    }

    private func embed(_ request: EmbeddingRequest, at index: Int) async -> Response {
        let texts = request.texts
        let prompt = texts.reduce(0) { $0 + tokenizer.count($1) }
        let arrival = await provider.arrive(at: index, promptTokens: prompt, maxTokens: 0)
        guard arrival.response.status == 200 else { return await refuse(arrival, at: index) }
        try? await Task.sleep(for: arrival.delay)
        await provider.finished(at: index)
        var dimensions = 16
        if case .integer(let asked) = request.extra["dimensions"], (1 ... 4_096).contains(asked) { dimensions = asked }
        let base64 = request.extra["encoding_format"] == .string("base64")
        return JSONReply.response(200, MockReplies.embeddings(texts, model: request.model ?? modelName(at: index), dimensions: dimensions,
                                                      base64: base64, promptTokens: prompt), headers: headers(arrival, at: index))
    }

    /// A 429, 5xx or time-out, sent when the endpoint says it comes back.
    private func refuse(_ arrival: MockProvider.Arrival, at index: Int) async -> Response {
        try? await Task.sleep(for: arrival.delay)
        var headers = headers(arrival, at: index)
        let status = arrival.response.status
        let anthropic = isAnthropic(index)
        let body: [UInt8]
        switch arrival.response.outcome {
        case .throttled(let retryAfter):
            if let retryAfter { headers += MockReplies.retryAfterHeaders(retryAfter) }
            let message = "Requests to deployment '\(provider.deployments[index].id)' have exceeded the rate limit. Retry after the time in retry-after."
            body = anthropic ? JSONReply.anthropicErrorBody(message, type: "rate_limit_error")
                : JSONReply.errorBody(message, type: "rate_limit_exceeded", code: "429")
        case .transientFailure(_, let message):
            if status != 503 { await provider.finished(at: index) }
            let text = "The mock failed this request on purpose: \(message)."
            body = anthropic ? JSONReply.anthropicErrorBody(text, type: status == 503 ? "overloaded_error" : "api_error")
                : JSONReply.errorBody(text, type: "server_error", code: "\(status)")
        default:
            body = JSONReply.errorBody("Unexpected mock outcome.", type: "server_error", code: "\(status)")
        }
        return JSONReply.response(status, body, headers: headers)
    }

    /// The model a deployment reports when the request names none (Azure's deployment routes).
    private func modelName(at index: Int) -> String {
        provider.deployments[index].models.sorted().first ?? provider.deployments[index].id
    }

    /// The rate-limit headers of an answer from deployment `index`, in its provider's dialect.
    private func headers(_ arrival: MockProvider.Arrival, at index: Int) -> [(String, String)] {
        isAnthropic(index) ? MockReplies.anthropicRateLimitHeaders(arrival.response.rateLimits)
            : MockReplies.rateLimitHeaders(arrival.response.rateLimits, dialect: arrival.headers)
    }

    private func isAnthropic(_ index: Int) -> Bool {
        provider.deployments[index].endpoint.provider == .anthropic
    }

    // MARK: Responses

    private static func invalidBody(_ expected: String) -> Response {
        JSONReply.error(400, "The body is not \(expected).", type: "invalid_request_error", code: "invalid_body")
    }

    private static func unknownDeployment(_ model: String?) -> Response {
        JSONReply.error(404, "No deployment here serves '\(model ?? "")'. Check the deployment name or model against the scenario.",
                        type: "invalid_request_error", code: "DeploymentNotFound")
    }
}
