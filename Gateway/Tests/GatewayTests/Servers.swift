import Foundation
import Logging
import HeadroomAdapters
import HeadroomConfiguration
import HeadroomHTTPClient
import HeadroomCore
import HeadroomGateway
import HeadroomMockServer
import HeadroomSimulator
import Hummingbird
import HeadroomServerSupport

/// A mock provider and a gateway in front of it, both on free loopback ports in this process.
struct Servers {
    let mock: MockServer
    let gateway: Gateway
    let mockURL: String
    let gatewayURL: String

    /// The test client's key.
    static let key = "sk-test"
    /// The operator's key, in the environment as OPERATOR_KEY (used where a test sets `operatorKeyEnvironment`).
    static let operatorKey = "sk-operator"

    /// Starts the mock with `deployments`, and a gateway over them configured by `configure`, runs `body`, then stops both,
    /// each gracefully, the gateway (then its engine) first.
    static func with(_ deployments: [SimulatedDeployment],
                     configure: (inout GatewayConfiguration) -> Void = { _ in },
                     logger: Logger = quietLogger,
                     _ body: (Servers) async throws -> Void) async throws {
        let mock = try MockServer(deployments: deployments)
        try await serving({ mock.application(port: 0, onRunning: $0) }) { mockPort in
            let mockURL = "http://127.0.0.1:\(mockPort)"
            var configuration = GatewayConfiguration(
                engine: HeadroomConfiguration(deployments: deployments.map { deployment in
                    DeploymentSettings(id: deployment.id, provider: "azure", tokensPerMinute: deployment.endpoint.tokensPerMinute,
                                       requestsPerMinute: deployment.endpoint.requestsPerMinute, models: ["gpt-4o"], endpoint: mockURL,
                                       apiKeyEnvironment: "MOCK_KEY", deploymentNames: ["gpt-4o": deployment.id])
                }),
                port: 0, clients: [.init(name: "test", key: key)]
            )
            configure(&configuration)
            let gateway = try Gateway(configuration: configuration, environment: ["MOCK_KEY": "mock-key", "OPERATOR_KEY": operatorKey],
                                      logger: logger)
            try await serving(gateway) { gatewayURL in
                try await body(Servers(mock: mock, gateway: gateway, mockURL: mockURL, gatewayURL: gatewayURL))
            }
        }
    }
}

/// A logger that writes nothing: tests read what the gateway logs only where they check it.
let quietLogger = Logger(label: "headroom-gateway", factory: { _ in SwiftLogNoOpLogHandler() })

/// Serves `gateway` on a free loopback port while `body` runs with its URL, then stops it
/// gracefully and shuts its engine down, whether or not `body` threw.
func serving(_ gateway: Gateway, _ body: (String) async throws -> Void) async throws {
    do {
        try await serving({ gateway.application(onRunning: $0) }) { port in try await body("http://127.0.0.1:\(port)") }
    } catch {
        await gateway.engine.shutdown()
        throw error
    }
    await gateway.engine.shutdown()
}

/// A mock Azure deployment serving gpt-4o, answering in `latency` seconds.
func azure(_ id: String, requestsPerMinute: Int = 600, tokensPerMinute: Int = 100_000, latency: Double = 0.01) -> SimulatedDeployment {
    var endpoint = EndpointModel.azure(tokensPerMinute: tokensPerMinute, requestsPerMinute: requestsPerMinute)
    endpoint.latency.firstTokenSeconds = latency
    endpoint.latency.perOutputTokenSeconds = 0
    endpoint.latency.jitter = 0
    endpoint.latency.refusalSeconds = 0
    return SimulatedDeployment(id: id, models: ["gpt-4o"], endpoint: endpoint)
}

/// An HTTP exchange's status, headers and JSON body.
struct Exchange {
    let status: Int
    /// Names in lower case.
    let headers: [String: String]
    let json: [String: Any]
    let text: String

    /// A value at a path of keys and array indices.
    func value(_ path: Any...) -> Any? {
        var current: Any? = json
        for step in path {
            if let key = step as? String { current = (current as? [String: Any])?[key] } else if let index = step as? Int {
                current = (current as? [Any]).flatMap { index < $0.count ? $0[index] : nil }
            }
        }
        return current
    }
}

let client = AsyncHTTPClientTransport()

/// Sends a request and reads the whole answer.
func exchange(_ url: String, method: String = "POST", headers: [String: String] = [:], body: String = "") async throws -> Exchange {
    let request = HTTPRequestData(method: method, url: url, headers: headers.map { HTTPField($0.key, $0.value) }, body: Array(body.utf8))
    let response = try await client.send(request, timeout: .seconds(60))
    let bytes = try await response.collect()
    let json = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
    let headers = Dictionary(response.headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    return Exchange(status: response.status, headers: headers, json: json, text: String(decoding: bytes, as: UTF8.self))
}

let hello = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"max_tokens":10}"#
