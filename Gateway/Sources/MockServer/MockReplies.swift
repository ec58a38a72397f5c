import Foundation
import HeadroomCore
import HeadroomSimulator
import HeadroomServerSupport

/// The bodies and headers the mock answers with, shaped as OpenAI and Azure
/// OpenAI shape theirs, so that official clients parse them.
enum MockReplies {
    /// The words an answer is made of, one token each.
    static let words = ["Mock", " answer", " from", " Headroom", ":", " every", " word", " is", " one", " token", "."]

    /// The text of an answer `tokens` long: the words, then again from the second on.
    static func text(tokens: Int) -> [String] {
        (0 ..< tokens).map { $0 < words.count ? words[$0] : words[1 + ($0 - 1) % (words.count - 1)] }
    }

    struct Usage: Encodable {
        var promptTokens: Int
        var completionTokens: Int?
        var totalTokens: Int
    }

    struct Message: Encodable {
        var role: String?
        var content: String?
    }

    struct Choice: Encodable {
        var index = 0
        var message: Message?
        var delta: Message?
        var finishReason: String?
    }

    struct Completion: Encodable {
        var id: String
        var object: String
        var created: Int
        var model: String
        var choices: [Choice]
        var usage: Usage?
    }

    /// A whole chat completion.
    static func completion(id: String, model: String, promptTokens: Int, completionTokens: Int, maxTokens: Int) -> [UInt8] {
        let message = Message(role: "assistant", content: text(tokens: completionTokens).joined())
        return JSONReply.encode(Completion(
            id: id, object: "chat.completion", created: created(), model: model,
            choices: [Choice(message: message, finishReason: completionTokens < maxTokens ? "stop" : "length")],
            usage: Usage(promptTokens: promptTokens, completionTokens: completionTokens, totalTokens: promptTokens + completionTokens)
        ))
    }

    /// One server-sent event of a streamed chat completion.
    static func chunk(id: String, model: String, delta: Message?, finishReason: String? = nil, usage: Usage? = nil) -> String {
        let choices = delta.map { [Choice(delta: $0, finishReason: finishReason)] } ?? []
        let body = JSONReply.encode(Completion(id: id, object: "chat.completion.chunk", created: created(), model: model, choices: choices, usage: usage))
        return "data: " + String(decoding: body, as: UTF8.self) + "\n\n"
    }

    struct Embedding: Encodable {
        enum Vector: Encodable {
            case floats([Float])
            case base64(String)

            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .floats(let values): try container.encode(values)
                case .base64(let text): try container.encode(text)
                }
            }
        }

        var object = "embedding"
        var index: Int
        var embedding: Vector
    }

    struct EmbeddingList: Encodable {
        var object = "list"
        var data: [Embedding]
        var model: String
        var usage: Usage
    }

    /// Embeddings of `texts`: deterministic unit vectors of `dimensions`, as
    /// floats or, when the client asks for `base64`, as little-endian float32 bytes.
    static func embeddings(_ texts: [String], model: String, dimensions: Int, base64: Bool, promptTokens: Int) -> [UInt8] {
        let data = texts.enumerated().map { index, text in
            let vector = embedding(of: text, dimensions: dimensions)
            if base64 {
                let bytes = vector.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
                return Embedding(index: index, embedding: .base64(Data(bytes).base64EncodedString()))
            }
            return Embedding(index: index, embedding: .floats(vector))
        }
        return JSONReply.encode(EmbeddingList(data: data, model: model, usage: Usage(promptTokens: promptTokens, totalTokens: promptTokens)))
    }

    /// A unit vector that depends only on the text (FNV-1a, so the same in every process).
    static func embedding(of text: String, dimensions: Int) -> [Float] {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let phase = Double(hash % 10_000) / 10_000 * 2 * .pi
        let raw = (0 ..< dimensions).map { sin(phase + Double($0)) }
        let norm = max(1e-12, raw.reduce(0) { $0 + $1 * $1 }.squareRoot())
        return raw.map { Float($0 / norm) }
    }

    /// The rate-limit headers of an answer: what `observation` holds, written as
    /// the deployment's dialect writes it (Azure's Responses API writes `-1` for what it does not know).
    static func rateLimitHeaders(_ observation: RateLimitObservation?, dialect: EndpointModel.HeaderDialect) -> [(String, String)] {
        guard let observation else { return [] }
        var headers: [(String, String)] = []
        if let requests = observation.requests?.remaining ?? (dialect == .unknown ? -1 : nil) {
            headers.append(("x-ratelimit-remaining-requests", "\(requests)"))
        }
        if let tokens = observation.tokens?.remaining { headers.append(("x-ratelimit-remaining-tokens", "\(tokens)")) }
        if let limit = observation.requests?.limit { headers.append(("x-ratelimit-limit-requests", "\(limit)")) }
        if let limit = observation.tokens?.limit { headers.append(("x-ratelimit-limit-tokens", "\(limit)")) }
        if let reset = observation.requests?.resetIn { headers.append(("x-ratelimit-reset-requests", goDuration(reset))) }
        if let reset = observation.tokens?.resetIn { headers.append(("x-ratelimit-reset-tokens", goDuration(reset))) }
        return headers
    }

    /// A 429's retry headers: whole seconds (rounded up) and milliseconds.
    static func retryAfterHeaders(_ wait: Duration) -> [(String, String)] {
        let milliseconds = max(1, (wait.nanoseconds + 999_999) / 1_000_000)
        return [("retry-after", "\((milliseconds + 999) / 1_000)"), ("retry-after-ms", "\(milliseconds)")]
    }

    /// A duration as Go prints it, the form of OpenAI's reset headers: `120ms`, `1.5s`, `6m0s`.
    static func goDuration(_ duration: Duration) -> String {
        let milliseconds = max(0, duration.nanoseconds / 1_000_000)
        if milliseconds < 1_000 { return "\(milliseconds)ms" }
        let minutes = milliseconds / 60_000
        let rest = milliseconds % 60_000
        var seconds = "\(rest / 1_000)"
        if rest % 1_000 != 0 {
            var fraction = String(1_000 + rest % 1_000).dropFirst()
            while fraction.hasSuffix("0") { fraction = fraction.dropLast() }
            seconds += "." + fraction
        }
        return minutes > 0 ? "\(minutes)m\(seconds)s" : "\(seconds)s"
    }

    private static func created() -> Int {
        Int(Date().timeIntervalSince1970)
    }
}
