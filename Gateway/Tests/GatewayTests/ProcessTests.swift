import Foundation
import HeadroomAdapters
import Testing

/// Runs a program to its end without blocking a thread; returns its exit status and output.
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    return (status, String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
}

/// The folder of the built products, where the test runner itself is.
let productsFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
let gatewayFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("Real clients and processes", .timeLimit(.minutes(10)))
struct ProcessTests {
    @Test("The official openai Python client chats, streams and embeds through the gateway over one kept-alive connection, and is refused with a wrong key")
    func officialClient() async throws {
        try await Servers.with([azure("east")]) { servers in
            let script = gatewayFolder.appendingPathComponent("Scripts/client-check.sh").path
            let (status, output) = try await run("/bin/bash", [script, "openai", "\(servers.gatewayURL)/v1", Servers.key])
            #expect(status == 0, "the openai client check failed (it needs python3 with venv and PyPI): \(output)")
            #expect(output.contains("stream: ['Mock', ' answer', ' from'], usage 11"))
            #expect(output.contains("embeddings: 2 vectors of 16"))
            #expect(output.contains("keep-alive: 4 requests over 1 connection"))
            #expect(output.contains("wrong key: 401"))
        }
    }

    @Test("The official anthropic Python client sends a message and streams one through the gateway, and is refused with a wrong key")
    func officialAnthropicClient() async throws {
        let mock = anthropic("claude-1")
        try await Servers.with([mock], configure: AnthropicTests.configure(mock)) { servers in
            let script = gatewayFolder.appendingPathComponent("Scripts/client-check.sh").path
            let (status, output) = try await run("/bin/bash", [script, "anthropic", servers.gatewayURL, Servers.key])
            #expect(status == 0, "the anthropic client check failed (it needs python3 with venv and PyPI): \(output)")
            #expect(output.contains("stream: ['Mock', ' answer', ' from'], 3 out, stopped by max_tokens"))
            #expect(output.contains("wrong key: 401"))
        }
    }

    @Test("The official openai client through batch deployments: 2,000 requests each answered its own, a failed, an expired and a cancelled batch, hang-ups, a restart mid-batch and one after its answers, nothing submitted twice")
    func officialClientThroughBatch() async throws {
        let script = gatewayFolder.appendingPathComponent("Scripts/client-check.sh").path
        let (mock, gateway) = (productsFolder.appendingPathComponent("headroom-mock").path, productsFolder.appendingPathComponent("headroom-gateway").path)
        try #require(FileManager.default.isExecutableFile(atPath: mock) && FileManager.default.isExecutableFile(atPath: gateway), "build the products first")
        let (status, output) = try await run("/bin/bash", [script, "batch", mock, gateway, gatewayFolder.appendingPathComponent("Examples/batch.json").path])
        #expect(status == 0, "the batch client check failed (it needs python3 with venv and PyPI): \(output)")
        #expect(output.contains("2,000 requests through batch: answered 2000,"))
        #expect(output.contains("a batch that fails: requests 50, batches failed 1, answered synchronously 50"))
        #expect(output.contains("5 of 20 callers hang up and come back: others answered 15, returned answered 5, submitted 20"))
        #expect(output.contains("a restart mid-batch: callers answered 30,"))
        #expect(output.contains("10 callers hang up, their batch answers, the gateway restarts: returned answered 10, submitted 10"))
        #expect(output.contains("batches resumed "))
    }

    @Test("On SIGTERM the gateway finishes the request under way, then exits; options override the file; requests are logged")
    func gracefulShutdown() async throws {
        let executable = productsFolder.appendingPathComponent("headroom-gateway").path
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the products first: \(executable) is missing")
        try await Servers.with([azure("east", latency: 1.5)]) { servers in
            let configuration = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-gateway-\(UUID().uuidString).json")
            try Data("""
                {"gateway": {"port": 0}, "tenants": [{"name": "t", "key": "\(Servers.key)"}],
                 "deployments": [{"id": "east", "provider": "azure", "endpoint": "\(servers.mockURL)", "apiKeyEnvironment": "MOCK_KEY",
                                  "deploymentNames": {"gpt-4o": "east"}, "requestsPerMinute": 600, "tokensPerMinute": 100000}]}
                """.utf8).write(to: configuration)
            defer { try? FileManager.default.removeItem(at: configuration) }

            let log = configuration.appendingPathExtension("log")
            try #require(FileManager.default.createFile(atPath: log.path, contents: nil))
            defer { try? FileManager.default.removeItem(at: log) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["--config", configuration.path, "--returned-response-headers", "x-ratelimit-*, x-request-id", "--log-level", "info"]
            process.environment = ["MOCK_KEY": "mock"]
            // Nothing of the test runner's: were the runner to crash, a gateway left running with
            // its output would keep `swift test` waiting for that output to end.
            let logHandle = try FileHandle(forWritingTo: log)
            process.standardOutput = logHandle
            process.standardError = logHandle
            process.standardInput = FileHandle.nullDevice
            let ended = AsyncStream<Int32>.makeStream()
            process.terminationHandler = { ended.continuation.yield($0.terminationStatus) }
            try process.run()
            defer { if process.isRunning { process.terminate() } }

            func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
            #expect(await waitFor { output().contains("/v1 ") })
            let banner = output()
            let port = try #require(banner.components(separatedBy: "http://127.0.0.1:").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) })
            let url = "http://127.0.0.1:\(port)"

            let call = Task {
                let answer = try await exchange("\(url)/v1/chat/completions", headers: ["authorization": "Bearer \(Servers.key)"], body: hello)
                return (answer.status, answer.headers)
            }
            #expect(await waitFor { (try? await exchange("\(url)/stats", method: "GET").value("in_flight") as? Int) == 1 })
            kill(process.processIdentifier, SIGTERM)
            let (status, headers) = try await call.value
            #expect(status == 200 && headers["x-ratelimit-remaining-requests"] != nil)
            var statuses = ended.stream.makeAsyncIterator()
            #expect(await statuses.next() == 0)
            #expect(output().hasSuffix("headroom-gateway: stopped after finishing the requests under way\n"))
            #expect(output().contains("client=t ") && output().contains("deployment=east") && output().contains("status=200"))
            #expect(!output().contains("mock"))
        }
    }
}
