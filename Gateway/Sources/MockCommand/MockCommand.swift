import ArgumentParser
import HeadroomCore
import HeadroomMockServer
import HeadroomServerSupport
import HeadroomSimulator

/// `headroom-mock`: the deployments of a configuration file (or the built-in
/// scenario's) as a fake Azure OpenAI / OpenAI server on one port.
@main
struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headroom-mock",
        abstract: "The deployments of a configuration file as a fake Azure OpenAI and OpenAI server that rate-limits like the real ones.",
        discussion: "Without --config it serves the built-in scenario's deployments. Statistics at GET /mock/stats.",
        version: HeadroomRelease.version
    )

    @Option(help: ArgumentHelp("A configuration file (JSON, Docs/configuration.md), as for headroom simulate.", valueName: "file")) var config: String?
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0: any free port).") var port = 9000

    func run() async throws {
        try await reportingErrors("headroom-mock") {
            let scenario = if let config { try Scenario.load(path: config) } else { try Scenario.builtIn() }
            let mock = try MockServer(scenario: scenario)
            await mock.provider.startBackgroundTraffic()
            let host = self.host
            let app = mock.application(host: host, port: port) { port in
                printLine("headroom-mock: \(scenario.deployments.count) deployment(s) on http://\(host):\(port)")
                for deployment in scenario.deployments {
                    if let batch = deployment.batch {
                        printLine("  \(deployment.id) (batch, \(batch.model.maxEnqueuedTokens) tokens enqueued at most): /\(deployment.id)/v1/files, /\(deployment.id)/v1/batches; "
                            + "Azure: /openai/v1/files, /openai/v1/batches with the lines' model \(deployment.id)")
                        continue
                    }
                    let limits = "\(deployment.endpoint.requestsPerMinute) rpm, \(deployment.endpoint.tokensPerMinute) tpm"
                    let routes = deployment.endpoint.provider == .anthropic ? "/\(deployment.id)/v1/messages"
                        : "/openai/deployments/\(deployment.id)/chat/completions?api-version=2024-10-21, /\(deployment.id)/v1/chat/completions"
                    let output = deployment.endpoint.outputTokensPerMinute.map { ", \($0) output tpm" } ?? ""
                    printLine("  \(deployment.id) (\(deployment.endpoint.provider.rawValue), \(limits)\(output)): \(routes)")
                }
                printLine("  statistics: GET /mock/stats, GET /mock/batches")
            }
            try await app.runService()
        }
    }
}
