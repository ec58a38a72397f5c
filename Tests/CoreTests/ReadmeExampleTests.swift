import HeadroomCore
import HeadroomPolicies
import Testing

/// The README's example, as written there, gives the actions it says.
@Test("The README's embedding example does what the README says")
func readmeExample() throws {
    let east = try Deployment(id: "azure-eastus", provider: .azureOpenAI, models: ["gpt-4o"],
                              requestsPerMinute: 900, tokensPerMinute: 150_000)
    let west = try Deployment(id: "azure-westus3", provider: .azureOpenAI, models: ["gpt-4o"],
                              requestsPerMinute: 480, tokensPerMinute: 80_000, maxConcurrency: 32)
    var scheduler = try Scheduler(deployments: [east, west], queue: .fifo, allocation: .maxHeadroom)

    let (id, actions) = scheduler.submit(Job(model: "gpt-4o", promptTokens: 1_200, maxOutputTokens: 400), now: .zero)
    #expect(actions == [.dispatch(id, to: "azure-eastus", attempt: 1)])
    let next = scheduler.complete(id, outcome: .succeeded(Usage(promptTokens: 1_180, completionTokens: 230)),
                                  rateLimits: RateLimitObservation(tokens: .init(remaining: 140_000)), now: .seconds(2.5))
    #expect(next == [.finish(id, .succeeded, JobAccount(deployment: "azure-eastus", attempts: 1, usage: Usage(promptTokens: 1_180, completionTokens: 230)))])
}
