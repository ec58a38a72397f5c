import Foundation
import HeadroomAdapters
import HeadroomConfiguration
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import HeadroomCore
import HeadroomGateway
import HeadroomServerSupport
import Testing

/// A gateway in front of a scripted upstream: deployment `bad` (model `bad-model`) misbehaves
/// one way, deployment `good` (model `good-model`) answers as a provider should.
struct HostileSetup {
    let gateway: Gateway
    let url: String
    let upstream: ScriptedUpstream
    /// What the engine told operators so far.
    let notices: Notices

    static let clientKey = "sk-client-secret-abcdef0123456789"
    static let operatorKey = "sk-operator-secret-0123456789abcdef"
    static var secrets: [String] { [ScriptedUpstream.key, clientKey, operatorKey] }

    actor Notices {
        var lines: [String] = []
        func add(_ line: String) { lines.append(line) }
    }

    static func with(_ behaviour: ScriptedUpstream.Behaviour, configure: (inout GatewayConfiguration) -> Void = { _ in },
                     _ body: (HostileSetup) async throws -> Void) async throws {
        let upstream = ScriptedUpstream()
        try await serving({ upstream.application(onRunning: $0) }) { port in
            func deployment(_ id: String, _ behaviour: ScriptedUpstream.Behaviour) -> DeploymentSettings {
                DeploymentSettings(id: id, provider: "openai-compatible", tokensPerMinute: 10_000_000, requestsPerMinute: 6_000,
                                   models: ["\(id)-model"], baseURL: "http://127.0.0.1:\(port)/\(behaviour.rawValue)/v1",
                                   apiKeyEnvironment: "UPSTREAM_KEY")
            }
            var engine = HeadroomConfiguration(deployments: [deployment("bad", behaviour), deployment("good", .healthy)],
                                               scheduler: SchedulerSettings(), engine: EngineSettings())
            engine.scheduler?.maxAttempts = 2
            engine.engine?.attemptTimeoutSeconds = 5
            engine.engine?.requestTimeoutSeconds = 2
            engine.engine?.maxAnswerBytes = 65_536
            var configuration = GatewayConfiguration(engine: engine, port: 0, clients: [.init(name: "client", key: clientKey)])
            configuration.maxRequestBytes = 1 << 20
            configuration.operatorKeyEnvironment = "OPERATOR_KEY"
            configure(&configuration)
            let gateway = try Gateway(configuration: configuration, environment: ["UPSTREAM_KEY": ScriptedUpstream.key, "OPERATOR_KEY": operatorKey],
                                      logger: quietLogger)
            let notices = Notices()
            let listening = Task {
                for await notice in gateway.engine.notices { await notices.add(notice.message) }
            }
            defer { listening.cancel() }
            try await serving(gateway) { url in
                try await body(HostileSetup(gateway: gateway, url: url, upstream: upstream, notices: notices))
            }
        }
    }

    var auth: [String: String] { ["authorization": "Bearer \(Self.clientKey)"] }

    /// A chat request for `model`.
    static func chat(_ model: String, stream: Bool = false) -> String {
        #"{"model":"\#(model)","messages":[{"role":"user","content":"Hi"}],"max_tokens":5\#(stream ? #","stream":true"# : "")}"#
    }

    /// After any case: the gateway is healthy and serves, and no secret is in what it said or logged.
    func expectHealthyAndSecretFree(_ answers: [Exchange]) async throws {
        #expect(try await exchange("\(url)/healthz", method: "GET").status == 200)
        #expect(try await exchange("\(url)/readyz", method: "GET").status == 200)
        let served = try await exchange("\(url)/v1/chat/completions", headers: auth, body: Self.chat("good-model"))
        #expect(served.status == 200, "\(served.text)")
        let operatorAuth = ["authorization": "Bearer \(Self.operatorKey)"]
        let stats = try await exchange("\(url)/stats", method: "GET", headers: operatorAuth)
        let metrics = try await exchange("\(url)/metrics", method: "GET", headers: operatorAuth)
        #expect(stats.status == 200 && metrics.status == 200)
        // Every request, the hostile one included, has been counted as ended.
        #expect(await waitFor {
            let stats = await gateway.stats()
            return stats.inFlight == 0 && stats.requests.inProgress == 0
        })
        let said = answers + [served, stats, metrics]
        let texts = said.map(\.text) + said.flatMap(\.headers.values) + (await notices.lines)
        for secret in Self.secrets {
            #expect(!texts.contains { $0.contains(secret) }, "a secret was shown")
        }
    }
}

/// Every way a client or an upstream was seen to break the gateway, each asserting the exact
/// status and OpenAI's error shape, that the gateway stays healthy, and that no secret shows.
@Suite("Hostile input", .timeLimit(.minutes(5)))
struct HostileInputTests {
    /// An upstream's misbehaviour and how the gateway must answer it.
    struct UpstreamCase: Sendable, CustomTestStringConvertible {
        var behaviour: ScriptedUpstream.Behaviour
        var streaming = false
        var status: Int
        var code: String
        /// Requests the upstream must have had: a request it accepted is never sent twice.
        var hits: Int
        var testDescription: String { "\(behaviour)\(streaming ? ", streaming" : "")" }
    }

    @Test("A misbehaving upstream gets the client a clear error, never a crash, a duplicate or a leaked key", arguments: [
        UpstreamCase(behaviour: .hugeUsage, status: 200, code: "", hits: 1),
        UpstreamCase(behaviour: .echoesKey, status: 503, code: "deployment_unavailable", hits: 1),
        UpstreamCase(behaviour: .modelNotFound, status: 400, code: "rejected_by_provider", hits: 1),
        UpstreamCase(behaviour: .tooLarge, status: 502, code: "bad_upstream_response", hits: 1),
        UpstreamCase(behaviour: .gzipBomb, status: 502, code: "bad_upstream_response", hits: 1),
        UpstreamCase(behaviour: .endlessLine, streaming: true, status: 502, code: "bad_upstream_response", hits: 1),
        UpstreamCase(behaviour: .neverAnswers, status: 504, code: "deadline_exceeded", hits: 1),
        UpstreamCase(behaviour: .trickles, status: 504, code: "deadline_exceeded", hits: 1),
        UpstreamCase(behaviour: .stallsAfterHead, status: 504, code: "deadline_exceeded", hits: 1),
        UpstreamCase(behaviour: .status999, status: 502, code: "attemptsExhausted", hits: 2),
        UpstreamCase(behaviour: .notJSON, status: 502, code: "bad_upstream_response", hits: 1),
        UpstreamCase(behaviour: .nestedDeep, status: 502, code: "bad_upstream_response", hits: 1),
        UpstreamCase(behaviour: .streamAsJSON, streaming: true, status: 502, code: "bad_upstream_response", hits: 1),
    ])
    func upstream(_ test: UpstreamCase) async throws {
        try await HostileSetup.with(test.behaviour) { setup in
            let answer = try await exchange("\(setup.url)/v1/chat/completions", headers: setup.auth,
                                            body: HostileSetup.chat("bad-model", stream: test.streaming))
            #expect(answer.status == test.status, "\(answer.text)")
            if test.status != 200 {
                #expect(answer.value("error", "code") as? String == test.code, "\(answer.text)")
                #expect((answer.value("error", "message") as? String)?.isEmpty == false)
                #expect(answer.value("error", "type") as? String == (test.status < 500 ? "invalid_request_error" : test.status == 504 ? "timeout" : "server_error"))
                #expect(answer.text.utf8.count < 1_000, "a short sentence, not a dump")
            }
            #expect(await setup.upstream.hits(test.behaviour) == test.hits)
            try await setup.expectHealthyAndSecretFree([answer])
        }
    }

    @Test("A stream that breaks after its first chunk says so in the stream, and does not claim to be done")
    func streamBrokenAfterAChunk() async throws {
        try await HostileSetup.with(.streamWithoutDone) { setup in
            let answer = try await exchange("\(setup.url)/v1/chat/completions", headers: setup.auth, body: HostileSetup.chat("bad-model", stream: true))
            #expect(answer.status == 200)
            #expect(answer.text.contains(#""content":"par""#) && answer.text.contains(#""code":"stream_broken""#))
            #expect(!answer.text.contains("data: [DONE]"))
            #expect(await setup.upstream.hits(.streamWithoutDone) == 1)
            try await setup.expectHealthyAndSecretFree([answer])
        }
    }

    /// A client's bad request and how the gateway must answer it.
    struct ClientCase: Sendable, CustomTestStringConvertible {
        var label: String
        var method = "POST"
        var path = "v1/chat/completions"
        var body: String
        var status: Int
        var code: String
        var allow: String?
        var testDescription: String { label }
    }

    @Test("A client's hostile request gets the exact error in OpenAI's shape, and the gateway goes on serving", arguments: [
        ClientCase(label: "max_tokens 2^63 - 1",
                   body: #"{"model":"good-model","messages":[{"role":"user","content":"Hi"}],"max_tokens":9223372036854775807}"#,
                   status: 400, code: "invalidJob"),
        ClientCase(label: "max_tokens 3e18 with n 4",
                   body: #"{"model":"good-model","messages":[{"role":"user","content":"Hi"}],"max_tokens":3000000000000000000,"n":4}"#,
                   status: 400, code: "invalidJob"),
        ClientCase(label: "max_completion_tokens near 2^63, streaming",
                   body: #"{"model":"good-model","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":9223372036854775000,"stream":true}"#,
                   status: 400, code: "invalidJob"),
        ClientCase(label: "not JSON", body: "{model: gpt", status: 400, code: "invalid_body"),
        ClientCase(label: "a JSON array", body: "[1, 2]", status: 400, code: "invalid_body"),
        ClientCase(label: "an empty body", body: "", status: 400, code: "invalid_body"),
        ClientCase(label: "messages that are not a list", body: #"{"model":"good-model","messages":"Hi"}"#, status: 400, code: "invalid_body"),
        ClientCase(label: "a body over maxRequestBytes",
                   body: #"{"model":"good-model","messages":[{"role":"user","content":""# + String(repeating: "x", count: 2 << 20) + #""}]}"#,
                   status: 413, code: "request_too_large"),
        ClientCase(label: "GET on a POST route", method: "GET", body: "", status: 405, code: "method_not_allowed", allow: "POST"),
        ClientCase(label: "DELETE on /stats", method: "DELETE", path: "stats", body: "", status: 405, code: "method_not_allowed", allow: "GET"),
        ClientCase(label: "a path nobody serves", path: "v1/completions/../../etc", body: "{}", status: 404, code: "unknown_url"),
    ])
    func client(_ test: ClientCase) async throws {
        try await HostileSetup.with(.healthy) { setup in
            let answer = try await exchange("\(setup.url)/\(test.path)", method: test.method, headers: setup.auth, body: test.body)
            #expect(answer.status == test.status, "\(answer.text)")
            #expect(answer.value("error", "code") as? String == test.code, "\(answer.text)")
            #expect((answer.value("error", "message") as? String)?.isEmpty == false)
            #expect(answer.value("error", "type") as? String == "invalid_request_error")
            #expect(answer.headers["allow"] == test.allow)
            try await setup.expectHealthyAndSecretFree([answer])
        }
    }

    @Test("A connection is kept alive: requests one after another, or pipelined, are each answered in order")
    func keepAlive() async throws {
        try await HostileSetup.with(.healthy) { setup in
            let port = try #require(Int(setup.url.split(separator: ":").last ?? ""))
            func request(_ content: String, last: Bool) -> String {
                let body = #"{"model":"good-model","messages":[{"role":"user","content":"\#(content)"}],"max_tokens":5}"#
                return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(HostileSetup.clientKey)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(last ? "Connection: close\r\n" : "")\r\n" + body
            }
            let pipelined = try await RawClient.conversation(port: port, sending: request("one", last: false) + request("two", last: false)
                + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(pipelined.components(separatedBy: "HTTP/1.1 200 OK").count - 1 == 3, "\(pipelined)")
            #expect(await setup.upstream.hits(.healthy) == 2)
            try await setup.expectHealthyAndSecretFree([])
        }
    }

    @Test("A client that half-closes after its request is answered 499 in OpenAI's shape and counted as cancelled")
    func halfClose() async throws {
        try await HostileSetup.with(.healthy) { setup in
            let port = try #require(Int(setup.url.split(separator: ":").last ?? ""))
            let body = HostileSetup.chat("good-model")
            let request = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(HostileSetup.clientKey)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
            let answer = try await RawClient.conversation(port: port, sending: request, halfClose: true)
            #expect(answer.hasPrefix("HTTP/1.1 499"), "\(answer)")
            #expect(answer.contains(#""code":"client_closed_request""#))
            #expect(await waitFor { await setup.gateway.stats().requests.cancelled == 1 })
            try await setup.expectHealthyAndSecretFree([])
        }
    }
}

/// A client on a raw connection, for what HTTP libraries do not do.
enum RawClient {
    /// Sends `text` (then closes the sending side, if `halfClose`), and returns everything the server sends
    /// until it closes the connection (10 s at most).
    static func conversation(port: Int, sending text: String, halfClose: Bool = false) async throws -> String {
        let collected = NIOLockedValueBox<[UInt8]>([])
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: halfClose)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(bytes: collected)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
        if halfClose { try await channel.close(mode: .output).get() }
        // Closed by us after 10 s if the server has not closed it by then.
        let deadline = Task {
            try await Task.sleep(for: .seconds(10))
            try await channel.close()
        }
        try? await channel.closeFuture.get()
        deadline.cancel()
        return String(decoding: collected.withLockedValue { $0 }, as: UTF8.self)
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let bytes: NIOLockedValueBox<[UInt8]>
        init(bytes: NIOLockedValueBox<[UInt8]>) { self.bytes = bytes }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            bytes.withLockedValue { $0.append(contentsOf: buffer.readableBytesView) }
        }
    }
}
