import HeadroomAdapters
import HeadroomConfiguration
import HeadroomCore
import Testing

/// The README's engine example, as written there, run against a scripted transport.
@Test("The README's engine example works as written")
func readmeEngineExample() async throws {
    // Max headroom sends each request where the most quota is left: any of the three may answer.
    let replies: [ScriptedTransport.Reply] = [.respond(200, body: [completion]), .respond(200, body: [chunk("1, 2, 3"), "data: [DONE]\n\n"])]
    let transport = ScriptedTransport(["contoso-eastus": replies, "contoso-sweden": replies, "api.openai.com": replies])
    let environment = ["AZURE_EASTUS_KEY": "a", "AZURE_SWEDEN_KEY": "b", "OPENAI_API_KEY": "c"]
    let engine = try HeadroomEngine(configuration: HeadroomConfiguration(deployments: [
        DeploymentSettings(id: "eastus", provider: "azure", tokensPerMinute: 150_000, requestsPerMinute: 900, models: ["gpt-4o"],
                           endpoint: "https://contoso-eastus.openai.azure.com", apiKeyEnvironment: "AZURE_EASTUS_KEY",
                           deploymentNames: ["gpt-4o": "gpt-4o-prod"]),
        DeploymentSettings(id: "swedencentral", provider: "azure", tokensPerMinute: 120_000, requestsPerMinute: 720, models: ["gpt-4o"],
                           endpoint: "https://contoso-sweden.openai.azure.com", apiKeyEnvironment: "AZURE_SWEDEN_KEY"),
        DeploymentSettings(id: "openai", provider: "openai", tokensPerMinute: 200_000, requestsPerMinute: 500, maxConcurrency: 64,
                           apiKeyEnvironment: "OPENAI_API_KEY"),
    ], scheduler: SchedulerSettings(queue: "priority", allocation: "maxHeadroom")), transport: transport, environment: environment)

    let answer = try await engine.chat(ChatCompletionRequest(model: "gpt-4o", messages: [.init(role: "user", text: "Hello!")]),
                                       priority: 1)
    #expect(answer.content == "Hello!")
    var streamed = ""
    for try await chunk in await engine.streamChat(ChatCompletionRequest(model: "gpt-4o", messages: [.init(role: "user", text: "Count to 3")])) {
        streamed += chunk.delta ?? ""
    }
    #expect(streamed == "1, 2, 3")
    #expect(await transport.sent.count == 2)
}
