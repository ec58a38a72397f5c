import Foundation
import HeadroomCore
import HeadroomGateway
import HeadroomServerSupport

// headroom-gateway: an OpenAI-compatible endpoint that schedules requests
// across the deployments of a configuration file.

let usage = "usage: headroom-gateway --config gateway.json [--port 8080]"

await runCommand("headroom-gateway", usage: usage) {
    let options = try CommandOptions(CommandLine.arguments.dropFirst(), known: ["--config", "--port"])
    guard let path = options["--config"] else { throw CommandOptions.Problem(description: "--config is required.") }
    var loaded = try GatewayConfiguration.load(path: path)
    if let port = try options.integer("--port") { loaded.port = port }
    let configuration = loaded
    let gateway = try Gateway(configuration: configuration)
    Task {
        for await notice in gateway.engine.notices { printError("headroom-gateway: \(notice.message)") }
    }
    Task {
        for await notice in gateway.engine.calibrations { printError("headroom-gateway: \(notice.message)") }
    }
    try await gateway.run { port in
        let deployments = configuration.engine.deployments.map(\.id).joined(separator: ", ")
        printLine("headroom-gateway: http://\(configuration.host):\(port)/v1 → \(deployments); "
            + "\(configuration.clients.count) client(s); stats at /stats and /metrics")
    }
    printLine("headroom-gateway: stopped after finishing the requests under way")
}
