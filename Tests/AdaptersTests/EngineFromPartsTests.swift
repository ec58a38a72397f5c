import Foundation
import HeadroomAdapters
import HeadroomCore
import HeadroomPolicies
import Synchronization
import Testing

/// A clock a test moves by hand: sleepers wake when it reaches their deadline.
final class ManualEngineClock: EngineClock {
    private struct State {
        var now: Duration = .zero
        var sleepers: [Int: (deadline: Duration, waiter: CheckedContinuation<Void, any Error>)] = [:]
        var nextSleeper = 0
    }

    private let state = Mutex(State())

    func now() -> Duration {
        state.withLock { $0.now }
    }

    func sleep(until deadline: Duration) async throws {
        let sleeper = state.withLock { state in
            state.nextSleeper += 1
            return state.nextSleeper
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
                let due = state.withLock { state in
                    guard deadline > state.now, !Task.isCancelled else { return true }
                    state.sleepers[sleeper] = (deadline, waiter)
                    return false
                }
                if due { waiter.resume() }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: sleeper) }?.waiter.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Moves the clock on by `duration`, waking every sleeper whose deadline it reaches.
    func advance(by duration: Duration) {
        let woken = state.withLock { state in
            state.now += duration
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for key in due.keys { state.sleepers[key] = nil }
            return due.values.map(\.waiter)
        }
        for waiter in woken { waiter.resume() }
    }
}

@Suite("Engine from parts")
struct EngineFromPartsTests {
    private func scheduler() throws -> Scheduler<FIFOQueue, MaxHeadroom> {
        let east = try Deployment(id: "east", provider: .azureOpenAI, models: ["gpt-4o"], requestsPerMinute: 600, tokensPerMinute: 100_000)
        return try Scheduler(deployments: [east], queue: FIFOQueue(), allocation: .maxHeadroom)
    }

    private let adapters: [DeploymentID: any ProviderAdapter] = [
        "east": AzureOpenAIAdapter(endpoint: "https://east.openai.azure.com", apiKey: APIKey("east-secret"), deployments: ["gpt-4o": "gpt4o-east"]),
    ]

    @Test("A scheduler with the caller's policies, adapters and bounds serves requests")
    func serves() async throws {
        let transport = ScriptedTransport(["east": [.respond(200, body: [completion])]])
        let engine = try HeadroomEngine(scheduler: scheduler(), adapters: adapters, transport: transport,
                                        limits: EngineLimits(defaultMaxTokens: 77))
        #expect(try await engine.chat(ChatCompletionRequest(model: "gpt-4o", messages: [ChatMessage(role: "user", text: "Hi")])).content == "Hello!")
        let sent = try #require(await transport.sent.first)
        #expect(String(decoding: sent.body, as: UTF8.self).hasSuffix(#""max_tokens":77}"#))
    }

    @Test("A deployment without an adapter is refused by name")
    func missingAdapter() throws {
        #expect(throws: HeadroomError(.invalidConfiguration, "Deployment 'east' has no adapter; give one for each of the scheduler's deployments.")) {
            try HeadroomEngine(scheduler: scheduler(), adapters: [:])
        }
    }

    @Test("On a clock moved by hand, a hung request ends at its deadline without waiting for it in real time")
    func virtualTime() async throws {
        let clock = ManualEngineClock()
        let transport = ScriptedTransport(["east": [.hang]])
        let engine = try HeadroomEngine(scheduler: scheduler(), adapters: adapters, transport: transport,
                                        limits: EngineLimits(requestTimeout: .seconds(3_600)), clock: clock)
        let started = ContinuousClock.now
        let call = Task { try await engine.chat(hello) }
        await transport.waitUntilSent(1)
        clock.advance(by: .seconds(3_599))
        try await Task.sleep(for: .milliseconds(20))
        #expect(await transport.cancelled == 0)
        clock.advance(by: .seconds(1))
        let error = await #expect(throws: HeadroomError.self) { try await call.value }
        #expect(error?.kind == .deadlineExceeded)
        // An hour on the engine's clock; in real time, however loaded the machine, far less.
        #expect(ContinuousClock.now - started < .seconds(120))
    }
}
