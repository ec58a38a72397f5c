import Foundation
import HeadroomConfiguration
import HeadroomCore
import HeadroomGateway
import HeadroomHTTPClient
#if canImport(Glibc)
import Glibc
#endif

/// A `headroom-gateway` process of a live run, started from a configuration file of its own (in the
/// folder this program is in), its output in a file beside it.
final class GatewayProcess: Sendable {
    let port: Int
    private let process: Process
    private let ended: AsyncStream<Int32>
    private let folder: URL

    private init(port: Int, process: Process, ended: AsyncStream<Int32>, folder: URL) {
        self.port = port
        self.process = process
        self.ended = ended
        self.folder = folder
    }

    /// Starts a gateway from `configuration` (its port 0) and returns once it listens.
    static func start(_ configuration: HeadroomConfiguration, environment: [String: String]) async throws -> GatewayProcess {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("headroom-gateway")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw HeadroomError(.invalidConfiguration, "\(executable.path) is missing: build headroom-gateway beside headroom-compare.")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("gateway.json")
        try JSONEncoder().encode(configuration).write(to: file)
        let log = folder.appendingPathComponent("gateway.log")
        try Data().write(to: log)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--config", file.path]
        process.environment = environment
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let (ended, continuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { continuation.yield($0.terminationStatus) }
        try process.run()
        for _ in 0 ..< 200 {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let port = output.components(separatedBy: "http://127.0.0.1:").dropFirst().first.flatMap({ Int($0.prefix { $0.isNumber }) }) {
                return GatewayProcess(port: port, process: process, ended: ended, folder: folder)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw HeadroomError(.invalidConfiguration, "headroom-gateway did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// Its `/stats`, or `nil` if it did not answer.
    func stats() async -> GatewayStats? {
        let request = HTTPRequestData(method: "GET", url: "http://127.0.0.1:\(port)/stats", headers: [], body: [])
        guard let response = try? await AsyncHTTPClientTransport().send(request, timeout: .seconds(10)),
              let body = try? await response.collect() else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(GatewayStats.self, from: Data(body))
    }

    /// Stops it (SIGTERM: it finishes what is under way) and removes its files.
    func stop() async {
        kill(process.processIdentifier, SIGTERM)
        var statuses = ended.makeAsyncIterator()
        _ = await statuses.next()
        try? FileManager.default.removeItem(at: folder)
    }
}
