import Foundation
import HeadroomAdapters
import HeadroomCore
import HeadroomPolicies
import Testing

@Suite("Anthropic's Messages API")
struct AnthropicAdapterTests {
    let adapter = AnthropicAdapter(apiKey: APIKey("ant-key"))
    let body = Array(#"{"model":"claude","max_tokens":64,"system":"Be brief.","messages":[{"role":"user","content":"Hi"}]}"#.utf8)

    @Test("A message goes to /v1/messages with x-api-key and anthropic-version, the model set in the body")
    func request() throws {
        let request = try adapter.request(.messages, body: body, model: "claude-sonnet-4")
        #expect(request.url == "https://api.anthropic.com/v1/messages" && request.method == "POST")
        #expect(request.headers == [HTTPField("x-api-key", "ant-key"), HTTPField("anthropic-version", "2023-06-01"),
                                    HTTPField("Content-Type", "application/json")])
        #expect(String(decoding: request.body, as: UTF8.self).contains(#""model":"claude-sonnet-4""#))
        // A body in OpenAI's format is not Anthropic's: refused, and OpenAI's adapters refuse Anthropic's.
        #expect(throws: HeadroomError.self) { try adapter.request(.chatCompletions, body: body, model: "claude") }
        #expect(throws: HeadroomError.self) { try OpenAIAdapter(apiKey: APIKey("k")).request(.messages, body: body, model: "claude") }
    }

    @Test("The system prompt counts with the messages")
    func systemPromptCounts() throws {
        let request = try APIRequest(.messages, bytes: body)
        #expect(request.messages.map(\.role) == ["system", "user"] && request.messages.map(\.content) == ["Be brief.", "Hi"])
        #expect(request.outputLimit == 64)
    }

    @Test("Anthropic's errors and answers are classified as it documents them", arguments: [
        (429, #"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#,
         ResponseClass.throttled(.unknown)),
        (529, #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#, .transient),
        (500, #"{"type":"error","error":{"type":"api_error","message":"Internal server error"}}"#, .transient),
        (401, #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#, .unavailable),
        (400, #"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}"#, .badRequest),
        (200, #"{"id":"msg_1","type":"message","content":[{"type":"text","text":"Hi"}],"usage":{"input_tokens":12,"output_tokens":3}}"#, .success),
    ])
    func classified(_ status: Int, _ text: String, _ expected: ResponseClass) {
        let result = classify(status, text, headers: ["retry-after": "2"], adapter: adapter)
        #expect(result.responseClass == expected)
        if status == 200 { #expect(result.outcome == .succeeded(Usage(promptTokens: 12, completionTokens: 3))) }
        if status == 429 { #expect(result.outcome == .throttled(retryAfter: .seconds(2))) }
        if status == 401 { #expect(result.message == "invalid x-api-key") }
    }

    @Test("A stream's usage comes from message_start and message_delta; message_stop ends it; an error event breaks it")
    func streamEvents() throws {
        var usage: Usage?
        let events = [
            #"{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":25,"output_tokens":1}}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#,
            #"{"type":"ping"}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}"#,
        ]
        for event in events { #expect(try adapter.read(streamEvent: Array(event.utf8), usage: &usage) == false) }
        #expect(try adapter.read(streamEvent: Array(#"{"type":"message_stop"}"#.utf8), usage: &usage))
        #expect(usage == Usage(promptTokens: 25, completionTokens: 15))
        #expect(throws: (any Error).self) {
            try adapter.read(streamEvent: Array(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.utf8), usage: &usage)
        }
    }

    /// An engine over one Anthropic deployment, answered by `transport`.
    private func engine(_ transport: ScriptedTransport) throws -> HeadroomEngine {
        let claude = try Deployment(id: "claude", provider: .anthropic, requestsPerMinute: 50, tokensPerMinute: 30_000, outputTokensPerMinute: 8_000)
        return try HeadroomEngine(scheduler: Scheduler(deployments: [claude], queue: .fifo, allocation: .maxHeadroom),
                                  adapters: ["claude": adapter], transport: transport)
    }

    @Test("A streamed message through the engine ends at message_stop, with the usage the stream reported")
    func streamThroughTheEngine() async throws {
        let events = [
            #"{"type":"message_start","message":{"usage":{"input_tokens":9,"output_tokens":1}}}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":4}}"#,
            #"{"type":"message_stop"}"#,
        ].map { "event: x\ndata: \($0)\n\n" }
        let transport = ScriptedTransport(["api.anthropic.com": [.respond(200, body: events)]])
        var parts: [APIStreamPart] = []
        let engine = try engine(transport)
        for try await part in await engine.stream(try APIRequest(.messages, bytes: body)) { parts.append(part) }
        #expect(parts.count == 5)
        #expect(parts.last.map { if case .usage(let usage) = $0 { usage == Usage(promptTokens: 9, completionTokens: 4) } else { false } } == true)
    }

    @Test("A stream that stops before message_stop is broken, not complete")
    func streamCutOff() async throws {
        let events = [#"data: {"type":"message_start","message":{"usage":{"input_tokens":9,"output_tokens":1}}}"# + "\n\n"]
        let transport = ScriptedTransport(["api.anthropic.com": [.respond(200, body: events)]])
        let engine = try engine(transport)
        await #expect(throws: HeadroomError.self) {
            for try await _ in await engine.stream(try APIRequest(.messages, bytes: body)) {}
        }
    }
}
