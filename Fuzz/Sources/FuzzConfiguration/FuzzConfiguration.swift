import Foundation
import HeadroomAdapters
import HeadroomConfiguration
import HeadroomCore
import HeadroomSimulator

/// A configuration file, loaded as the engine's and as a simulator scenario:
/// decoded, checked, and turned into an engine and a scenario.
func fuzzConfiguration(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let path = NSTemporaryDirectory() + "headroom-fuzz-\(getpid()).json"
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size)) else { return 0 }
    if let configuration = try? HeadroomConfiguration.load(path: path) {
        let keys = Dictionary(configuration.deployments.compactMap { $0.apiKeyEnvironment.map { ($0, "sk-fuzz") } },
                              uniquingKeysWith: { first, _ in first })
        _ = try? HeadroomEngine(configuration: configuration, transport: Unreachable(), environment: keys)
    }
    _ = try? Scenario.load(path: path)
    return 0
}

/// A transport nothing is sent through: the harness only builds engines.
struct Unreachable: HTTPTransport {
    func send(_ request: HTTPRequestData, timeout: Duration) async throws -> HTTPResponseStream {
        throw CancellationError()
    }
}
