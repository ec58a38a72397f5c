import Foundation
import HTTPTypes
import HeadroomServerSupport
import Hummingbird
import NIOCore

/// An OpenAI-compatible upstream that misbehaves on purpose, one way per path:
/// `POST /<behaviour>/v1/chat/completions`. It counts the requests each way got.
struct ScriptedUpstream: Sendable {
    /// One way an upstream can misbehave, as a provider or an attacker might.
    enum Behaviour: String, CaseIterable, Sendable {
        /// Answers as a provider should.
        case healthy
        /// Reports usage of 2^63 - 1 prompt tokens.
        case hugeUsage
        /// Refuses the key, echoing it as OpenAI's "Incorrect API key provided" does.
        case echoesKey
        /// Answers 404 `model_not_found`: the client's mistake, not the deployment's.
        case modelNotFound
        /// Answers 200 with a body larger than the gateway reads.
        case tooLarge
        /// Answers 200 with a small gzip body that inflates to 2 MiB.
        case gzipBomb
        /// Answers a stream with one line that never ends.
        case endlessLine
        /// Never answers.
        case neverAnswers
        /// Sends its head, then a byte every 200 ms.
        case trickles
        /// Sends a 200 head, then nothing.
        case stallsAfterHead
        /// Answers with status 999.
        case status999
        /// Answers 200 with a body that is not JSON, with the key in it.
        case notJSON
        /// Answers 200 with JSON nested 511 deep.
        case nestedDeep
        /// Streams one chunk, then ends without `[DONE]`.
        case streamWithoutDone
        /// Answers a stream request with plain JSON.
        case streamAsJSON
        /// Answers as a provider should, streaming when asked, with header fields of its own:
        /// a request id, rate limits and one for nobody else.
        case withHeaders
    }

    /// The key the gateway sends upstream, which must never reach a client or a log.
    static let key = "sk-upstream-secret-0123456789abcdef"

    private let hits = Hits()

    /// How many requests `behaviour` got.
    func hits(_ behaviour: Behaviour) async -> Int {
        await hits.count[behaviour] ?? 0
    }

    /// The header fields of the last request, by lower-case name.
    func lastHeaders() async -> [String: String] {
        await hits.lastHeaders
    }

    /// The server; `onRunning` is told its port.
    func application(onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        let hits = self.hits
        router.post(":behaviour/v1/chat/completions") { request, context -> Response in
            guard let behaviour = context.parameters.get("behaviour").flatMap(Behaviour.init(rawValue:)) else { throw HTTPError(.notFound) }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            await hits.add(behaviour, headers: headers)
            let body = try await request.body.collect(upTo: 1 << 20)
            return try await Self.answer(behaviour, streaming: String(buffer: body).contains(#""stream":true"#))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                           onServerRunning: { await onRunning($0.localAddress?.port ?? 0) })
    }

    private static func answer(_ behaviour: Behaviour, streaming: Bool) async throws -> Response {
        let completion = #"{"choices":[{"message":{"role":"assistant","content":"fine"}}],"usage":{"prompt_tokens":5,"completion_tokens":1}}"#
        switch behaviour {
        case .healthy:
            return JSONReply.response(200, Array(completion.utf8))
        case .hugeUsage:
            return JSONReply.response(200, Array(#"{"choices":[],"usage":{"prompt_tokens":9223372036854775807,"completion_tokens":9223372036854775807}}"#.utf8))
        case .echoesKey:
            return JSONReply.error(401, "Incorrect API key provided: \(key). You can find your API key at https://platform.openai.com/account/api-keys.",
                                   type: "invalid_request_error", code: "invalid_api_key")
        case .modelNotFound:
            return JSONReply.error(404, "The model `gpt-9` does not exist or you do not have access to it.", type: "invalid_request_error", code: "model_not_found")
        case .tooLarge:
            return JSONReply.response(200, Array(#"{"choices":[],"padding":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 200_000) + Array(#""}"#.utf8))
        case .gzipBomb:
            // 2 MiB of "0", gzipped to 2 KB.
            let bomb = Data(base64Encoded: "H4sIAAAAAAACA+3BMQEAAADCoErrn84YPkAB" + String(repeating: "A", count: 2_708) + "fA3+VAM0AAAgAA==")!
            return JSONReply.response(200, Array(bomb), headers: [("content-encoding", "gzip")])
        case .endlessLine:
            return stream { writer in
                for _ in 0 ..< 40 { try await writer.write(ByteBuffer(bytes: Array(repeating: UInt8(ascii: "a"), count: 8_192))) }
                try await Task.sleep(for: .seconds(6))
            }
        case .neverAnswers:
            try await Task.sleep(for: .seconds(6))
            return JSONReply.response(200, Array(completion.utf8))
        case .trickles:
            return stream { writer in
                for _ in 0 ..< 150 {
                    try await writer.write(ByteBuffer(string: " "))
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        case .stallsAfterHead:
            return stream { _ in try await Task.sleep(for: .seconds(6)) }
        case .status999:
            return JSONReply.response(999, Array(#"{"what":"?"}"#.utf8))
        case .notJSON:
            return Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html>\(key)</html>")))
        case .nestedDeep:
            return JSONReply.response(200, Array((String(repeating: "[", count: 511) + String(repeating: "]", count: 511)).utf8))
        case .streamWithoutDone:
            return stream { writer in
                try await writer.write(ByteBuffer(string: #"data: {"choices":[{"delta":{"content":"par"}}]}"# + "\n\n"))
            }
        case .streamAsJSON:
            return JSONReply.response(200, Array(completion.utf8))
        case .withHeaders:
            let fields = [("x-request-id", "req-7"), ("x-ratelimit-remaining-requests", "99"), ("x-internal-route", "rack-3")]
            guard streaming else { return JSONReply.response(200, Array(completion.utf8), headers: fields) }
            var response = stream { writer in
                try await writer.write(ByteBuffer(string: #"data: {"choices":[{"delta":{"content":"fine"}}]}"# + "\n\ndata: [DONE]\n\n"))
            }
            for (name, value) in fields { response.headers[HTTPField.Name(name)!] = value }
            return response
        }
    }

    /// A 200 event stream whose body `write` produces.
    private static func stream(_ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> Response {
        Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
            var writer: any ResponseBodyWriter = writer
            try await write(&writer)
            try await writer.finish(nil)
        })
    }

    private actor Hits {
        var count: [Behaviour: Int] = [:]
        var lastHeaders: [String: String] = [:]
        func add(_ behaviour: Behaviour, headers: [String: String]) {
            count[behaviour, default: 0] += 1
            lastHeaders = headers
        }
    }
}
