import HeadroomAdapters
import HeadroomConfiguration
import HeadroomCore
import HeadroomGateway
import Testing

@Suite("Header forwarding")
struct HeaderForwardingTests {
    private static let clientFields = [
        "openai-beta": "assistants=v2", "x-trace-id": "t-1", "x-other": "no", "api-key": "sk-client-api-key",
    ]

    @Test("Allow-listed client fields go upstream (never a key of the client's); allow-listed upstream fields come back",
          arguments: [false, true])
    func allowListed(streaming: Bool) async throws {
        try await HostileSetup.with(.withHeaders, configure: {
            $0.forwardedRequestHeaders = ["OpenAI-Beta", "x-trace-*"]
            $0.returnedResponseHeaders = ["x-request-id", "x-ratelimit-*"]
        }) { setup in
            let answer = try await exchange("\(setup.url)/v1/chat/completions", headers: setup.auth.merging(Self.clientFields) { $1 },
                                            body: HostileSetup.chat("bad-model", stream: streaming))
            #expect(answer.status == 200)
            let received = await setup.upstream.lastHeaders()
            #expect(received["openai-beta"] == "assistants=v2" && received["x-trace-id"] == "t-1")
            #expect(received["x-other"] == nil && received["api-key"] == nil)
            #expect(received["authorization"] == "Bearer \(ScriptedUpstream.key)")
            #expect(answer.headers["x-request-id"] == "req-7" && answer.headers["x-ratelimit-remaining-requests"] == "99")
            #expect(answer.headers["x-internal-route"] == nil)
        }
    }

    @Test("By default no client field goes upstream, and only the request id and processing time come back")
    func defaults() async throws {
        try await HostileSetup.with(.withHeaders) { setup in
            let answer = try await exchange("\(setup.url)/v1/chat/completions", headers: setup.auth.merging(Self.clientFields) { $1 },
                                            body: HostileSetup.chat("bad-model"))
            let received = await setup.upstream.lastHeaders()
            #expect(Set(Self.clientFields.keys).isDisjoint(with: received.keys))
            #expect(answer.headers["x-request-id"] == "req-7")
            #expect(answer.headers["x-ratelimit-remaining-requests"] == nil && answer.headers["x-internal-route"] == nil)
        }
    }

    @Test("An allow-list that would pass a credential or a field HTTP manages, or is not a name, is refused",
          arguments: ["Authorization", "api-key", "a*", "content-length", "bad name", "*"])
    func refused(_ pattern: String) throws {
        var configuration = GatewayConfiguration(engine: HeadroomConfiguration(deployments: []), clients: [.init(name: "c", key: "k")])
        configuration.forwardedRequestHeaders = [pattern]
        let error = #expect(throws: HeadroomError.self) { try Gateway(configuration: configuration, environment: [:]) }
        #expect(error?.message.hasPrefix("forwardedRequestHeaders: '\(pattern)'") == true)
    }
}
