import Foundation
import HeadroomMockServer
import HeadroomServerSupport
import HeadroomSimulator

// headroom-mock: the deployments of a scenario file (or the built-in scenario's)
// as a fake Azure OpenAI / OpenAI server on one port.

let usage = "usage: headroom-mock [--config scenario.json] [--host 127.0.0.1] [--port 9000]"

await runCommand("headroom-mock", usage: usage) {
    let options = try CommandOptions(CommandLine.arguments.dropFirst(), known: ["--config", "--host", "--port"])
    let scenario = if let path = options["--config"] { try Scenario.load(path: path) } else { try Scenario.builtIn() }
    let host = options["--host"] ?? "127.0.0.1"
    let mock = try MockServer(scenario: scenario)
    await mock.provider.startBackgroundTraffic()
    let app = mock.application(host: host, port: try options.integer("--port") ?? 9000) { port in
        printLine("headroom-mock: \(scenario.deployments.count) deployment(s) on http://\(host):\(port)")
        for deployment in scenario.deployments {
            let limits = "\(deployment.endpoint.requestsPerMinute) rpm, \(deployment.endpoint.tokensPerMinute) tpm"
            printLine("  \(deployment.id) (\(deployment.endpoint.provider.rawValue), \(limits)): "
                + "/openai/deployments/\(deployment.id)/chat/completions?api-version=2024-10-21, /\(deployment.id)/v1/chat/completions")
        }
        printLine("  statistics: GET /mock/stats")
    }
    try await app.runService()
}
