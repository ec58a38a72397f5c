import Foundation
import HeadroomAdapters
import HeadroomCore
import HeadroomPolicies

/// A provider that answers every request afresh, numbering its answers (so a
/// stored answer and a fresh one differ), optionally holding them until released.
actor CountingProvider: HTTPTransport {
    /// How the next answers go.
    enum Behaviour {
        case answer
        case fail(status: Int)
    }

    private(set) var calls = 0
    private var held = false
    private var heldBack: [CheckedContinuation<Void, Never>] = []
    private var arrivalWatchers: [(count: Int, waiter: CheckedContinuation<Void, Never>)] = []
    var behaviour = Behaviour.answer

    /// Holds answers back until ``release()``.
    func hold() { held = true }

    func release() {
        held = false
        for waiter in heldBack { waiter.resume() }
        heldBack.removeAll()
    }

    func set(_ behaviour: Behaviour) { self.behaviour = behaviour }

    /// Returns once `count` requests have arrived.
    func waitForCalls(_ count: Int) async {
        if calls >= count { return }
        await withCheckedContinuation { arrivalWatchers.append((count, $0)) }
    }

    func send(_ request: HTTPRequestData, timeout: Duration) async throws -> HTTPResponseStream {
        calls += 1
        let number = calls
        // Decided on arrival: a held answer goes as the provider meant it when the request came.
        let behaviour = self.behaviour
        let ready = arrivalWatchers.filter { $0.count <= calls }
        arrivalWatchers.removeAll { $0.count <= calls }
        for watcher in ready { watcher.waiter.resume() }
        if held { await withCheckedContinuation { heldBack.append($0) } }
        try Task.checkCancellation()
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        defer { continuation.finish() }
        if case .fail(let status) = behaviour {
            continuation.yield(Array(#"{"error":{"message":"no","type":"invalid_request_error"}}"#.utf8))
            return HTTPResponseStream(status: status, headers: [:], body: stream)
        }
        if String(decoding: request.body, as: UTF8.self).contains(#""stream":true"#) {
            for text in ["An", "swer \(number)"] {
                continuation.yield(Array((#"data: {"id":"call-\#(number)","choices":[{"delta":{"content":"\#(text)"}}]}"# + "\n\n").utf8))
            }
            continuation.yield(Array((#"data: {"id":"call-\#(number)","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3}}"# + "\n\ndata: [DONE]\n\n").utf8))
        } else {
            continuation.yield(Array(#"{"id":"call-\#(number)","choices":[{"message":{"role":"assistant","content":"Answer \#(number)"}}],"usage":{"prompt_tokens":9,"completion_tokens":3}}"#.utf8))
        }
        return HTTPResponseStream(status: 200, headers: [:], body: stream)
    }
}

/// An engine over one OpenAI deployment answered by `provider`.
func engine(_ provider: CountingProvider) throws -> HeadroomEngine {
    let deployment = try Deployment(id: "east", provider: .openAI, models: ["gpt-4o"], requestsPerMinute: 10_000, tokensPerMinute: 10_000_000)
    let scheduler = try Scheduler(deployments: [deployment], queue: FIFOQueue(), allocation: .maxHeadroom)
    return try HeadroomEngine(scheduler: scheduler, adapters: ["east": OpenAIAdapter(apiKey: APIKey("sk-test"))], transport: provider,
                              limits: EngineLimits(defaultMaxTokens: 100))
}

/// A chat request at temperature 0 (repeatable), streaming or not.
func chat(_ text: String = "Hi", stream: Bool = false, extra: String = "") throws -> APIRequest {
    let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"\#(text)"}],"temperature":0\#(stream ? #","stream":true"# : "")\#(extra)}"#
    return try APIRequest(.chatCompletions, bytes: Array(body.utf8))
}
