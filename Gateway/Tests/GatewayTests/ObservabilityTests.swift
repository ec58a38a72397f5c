import HeadroomCore
import HeadroomGateway
import Logging
import NIOConcurrencyHelpers
import Testing

/// Log lines as `message key=value ...`, the keys sorted.
final class LogLines: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    var all: [String] { lines.withLockedValue { $0 } }

    /// A logger that writes here.
    func logger() -> Logger {
        Logger(label: "headroom-gateway") { _ in Handler(sink: self) }
    }

    private struct Handler: LogHandler {
        let sink: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = metadata.merging(event.metadata ?? [:]) { $1 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            sink.lines.withLockedValue { $0.append(([event.message.description] + fields).joined(separator: " ")) }
        }
    }
}

@Suite("Observability")
struct ObservabilityTests {
    @Test("Each request writes one access-log line: client, model, deployment, status, attempts, waits and tokens; never a key")
    func accessLog() async throws {
        let log = LogLines()
        try await Servers.with([azure("east")], logger: log.logger()) { servers in
            let url = "\(servers.gatewayURL)/v1/chat/completions"
            let auth = ["authorization": "Bearer \(Servers.key)"]
            #expect(try await exchange(url, headers: auth, body: hello).status == 200)
            #expect(try await exchange(url, headers: ["authorization": "Bearer sk-wrong"], body: hello).status == 401)
            let forged = #"{"model":"gpt-4o\nforged line","messages":"Hi"}"#
            #expect(try await exchange(url, headers: auth, body: forged).status == 400)
            let lines = log.all.filter { $0.hasPrefix("request ") }
            try #require(lines.count == 3)
            let served = lines[0].split(separator: " ").map(String.init)
            #expect(served.filter { $0.hasPrefix("client=") || $0.hasPrefix("model=") || $0.hasPrefix("deployment=") || $0.hasPrefix("status=")
                || $0.hasPrefix("attempts=") || $0.hasPrefix("outcome=") || $0.hasPrefix("prompt_tokens=") || $0.hasPrefix("completion_tokens=") }
                == ["attempts=1", "client=test", "completion_tokens=10", "deployment=east", "model=gpt-4o", "outcome=succeeded",
                    "prompt_tokens=8", "status=200"])
            #expect(served.contains { $0.hasPrefix("latency_ms=") } && served.contains { $0.hasPrefix("queue_ms=") })
            #expect(lines[1] == "request client=- outcome=unauthorized status=401")
            // A client's text never breaks a line (and the body was not read, so no model was learnt).
            #expect(lines[2].hasPrefix("request client=test latency_ms=") && lines[2].hasSuffix("model=- outcome=invalid status=400"))
            #expect(!log.all.joined().contains(Servers.key) && !log.all.joined().contains("sk-wrong") && !log.all.joined().contains("mock-key"))
        }
    }

    @Test("Metrics label models the deployments serve by name and any other as other; the log level is configurable")
    func modelLabelsAndLevel() async throws {
        let log = LogLines()
        try await Servers.with([azure("east")], configure: { $0.logLevel = "warning" }, logger: log.logger()) { servers in
            let auth = ["authorization": "Bearer \(Servers.key)"]
            let made = #"{"model":"made-up-\#(Int.random(in: 0 ..< 1_000_000))","messages":[{"role":"user","content":"Hi"}]}"#
            #expect(try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: auth, body: made).status == 400)
            let metrics = try await exchange("\(servers.gatewayURL)/metrics", method: "GET")
            #expect(metrics.text.contains(#"headroom_gateway_requests_total{client="test",model="other",outcome="invalid"} 1"# + "\n"))
            #expect(!metrics.text.contains("made-up"))
            #expect(log.all.isEmpty)
        }
    }

    @Test("An unknown log level is refused, naming the levels")
    func unknownLevel() throws {
        var configuration = GatewayConfiguration(engine: .init(deployments: []), clients: [.init(name: "c", key: "k")])
        configuration.logLevel = "loud"
        #expect(throws: HeadroomError(.invalidConfiguration, "logLevel is 'loud'; use one of trace, debug, info, notice, warning, error, critical.")) {
            try Gateway(configuration: configuration, environment: [:])
        }
    }
}
