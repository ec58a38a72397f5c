import Foundation
import HeadroomAdapters
import HeadroomConfiguration
import HeadroomCore
import HeadroomGateway
import HeadroomMockServer
import HeadroomSimulator
import Testing

/// Every example configuration is read by all four programs: `headroom simulate`,
/// `headroom-mock`, the engine and `headroom-gateway`, and the scheduler sees the
/// same deployments live as simulated.
@Suite("Example configurations")
struct ExampleConfigurationTests {
    static let files = [
        "Examples/scenario.json", "Gateway/Examples/gateway.json", "Gateway/Examples/anthropic.json", "Gateway/Examples/load.json",
        "Gateway/Examples/soak.json", "Gateway/Examples/shared.json",
    ]

    private static func path(_ file: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../\(file)").standardized.path
    }

    /// Each key the file names by environment variable, set to a made-up key.
    private static func environment(for configuration: GatewayConfiguration) -> [String: String] {
        let names = configuration.engine.deployments.compactMap(\.apiKeyEnvironment)
            + configuration.clients.compactMap(\.keyEnvironment) + [configuration.operatorKeyEnvironment].compactMap { $0 }
        return Dictionary(names.enumerated().map { ($1, "sk-example-\($0)") }, uniquingKeysWith: { first, _ in first })
    }

    @Test("Every example file is read by every program", arguments: files)
    func everyProgram(_ file: String) async throws {
        let path = Self.path(file)
        // headroom simulate, and headroom-mock, which serves the scenario's deployments.
        let scenario = try Scenario.load(path: path)
        let mock = try MockServer(scenario: scenario)
        #expect(await mock.provider.statistics().deployments.map(\.id) == scenario.deployments.map(\.id))
        // The engine and headroom-gateway.
        let configuration = try GatewayConfiguration.load(path: path)
        let gateway = try Gateway(configuration: configuration, environment: Self.environment(for: configuration))
        #expect(await gateway.engine.snapshot().deployments.map(\.id.rawValue) == scenario.deployments.map(\.id))
        await gateway.engine.shutdown()
    }

    @Test("The scheduler sees each deployment alike, simulated and live", arguments: files)
    func sameDeployments(_ file: String) throws {
        let path = Self.path(file)
        let simulated = try Scenario.load(path: path).deployments.map { try $0.deployment() }
        let live = try HeadroomConfiguration.load(path: path).schedulerDeployments()
        #expect(simulated.count == live.count)
        for (a, b) in zip(simulated, live) {
            #expect(a.id == b.id && a.provider == b.provider && a.models == b.models && a.contextWindow == b.contextWindow)
            #expect(a.requestsPerMinute == b.requestsPerMinute && a.tokensPerMinute == b.tokensPerMinute)
            #expect(a.maxConcurrency == b.maxConcurrency && a.weight == b.weight && a.windows == b.windows, "\(a.id)")
        }
    }
}
