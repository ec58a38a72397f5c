import Foundation
import HeadroomAdapters
import HeadroomCore
import HeadroomPolicies

/// Responses' headers, as each provider's adapter reads them (on a deployment that also limits output apart), fed to a scheduler as
/// the engine feeds them: blocks of `name: value` lines separated by a blank
/// line, one response each; a block starting `429` is a throttled answer.
func fuzzHeaders(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var windows = RateWindows.azure
    windows.admitsCrossing = true
    // Safe: the deployment's figures are valid.
    let deployment = try! Deployment(id: "d", provider: .azureOpenAI, requestsPerMinute: 600, tokensPerMinute: 60_000, windows: windows,
                                     outputTokensPerMinute: 20_000)
    var scheduler = try! Scheduler(deployments: [deployment], queue: FIFOQueue(), allocation: .maxHeadroom)
    var now = Instant(nanoseconds: 0)
    let receivedAt = Date(timeIntervalSince1970: 1_700_000_000)
    for (round, block) in text.components(separatedBy: "\n\n").prefix(64).enumerated() {
        var headers: [String: String] = [:]
        for line in block.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let adapters: [any ProviderAdapter] = [AzureOpenAIAdapter(endpoint: "https://a", apiKey: APIKey("k")), OpenAIAdapter(apiKey: APIKey("k")),
                                               AnthropicAdapter(apiKey: APIKey("k"))]
        let read = adapters[round % adapters.count].rateLimits(in: headers, receivedAt: receivedAt)
        let (id, actions) = scheduler.submit(Job(models: [], promptTokens: 100 + round, maxOutputTokens: 50), now: now)
        now = Instant(nanoseconds: now.nanoseconds + 100_000_000)
        guard actions.contains(where: { if case .dispatch = $0 { true } else { false } }) else {
            _ = scheduler.tick(now: now)
            continue
        }
        let outcome: AttemptOutcome = block.hasPrefix("429") ? .throttled(retryAfter: read.retryAfter)
            : .succeeded(Usage(promptTokens: 100, completionTokens: round))
        _ = scheduler.complete(id, outcome: outcome, rateLimits: read.observation, now: now)
        _ = scheduler.snapshot(now: now)
    }
    return 0
}
