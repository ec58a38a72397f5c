import HeadroomCore

/// A chat completion request as OpenAI and Azure OpenAI take it. The fields
/// Headroom needs are typed; every other field is kept in ``extra`` and sent on
/// unchanged, so nothing a caller sets is lost.
///
/// ```swift
/// let request = ChatCompletionRequest(model: "gpt-4o", messages: [.init(role: "user", text: "Hi!")], maxCompletionTokens: 200)
/// ```
public struct ChatCompletionRequest: Hashable, Sendable, Codable {
    /// The model; adapters set it (or the deployment) for each attempt.
    public var model: String?
    /// The conversation.
    public var messages: [ChatMessage]
    /// `max_tokens`, the older name of the output limit.
    public var maxTokens: Int?
    /// `max_completion_tokens`, the current name of the output limit.
    public var maxCompletionTokens: Int?
    /// How many choices to generate.
    public var n: Int?
    /// Whether to stream the answer as server-sent events.
    public var stream: Bool?
    /// Tool definitions, as sent.
    public var tools: JSONValue?
    /// `response_format`, as sent.
    public var responseFormat: JSONValue?
    /// Every other field, as sent (`temperature`, `seed`, `stream_options`, ...).
    public var extra: [String: JSONValue]

    /// Creates a request.
    public init(model: String? = nil, messages: [ChatMessage], maxTokens: Int? = nil, maxCompletionTokens: Int? = nil,
                n: Int? = nil, stream: Bool? = nil, tools: JSONValue? = nil, responseFormat: JSONValue? = nil,
                extra: [String: JSONValue] = [:]) {
        self.model = model
        self.messages = messages
        self.maxTokens = maxTokens
        self.maxCompletionTokens = maxCompletionTokens
        self.n = n
        self.stream = stream
        self.tools = tools
        self.responseFormat = responseFormat
        self.extra = extra
    }

    /// The output limit the provider will reserve for, if the request sets one.
    public var outputLimit: Int? { maxCompletionTokens ?? maxTokens }

    private static let known: Set<String> = ["model", "messages", "max_tokens", "max_completion_tokens", "n", "stream", "tools", "response_format"]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        model = try container.decodeIfPresent(String.self, forKey: AnyKey("model"))
        messages = try container.decode([ChatMessage].self, forKey: AnyKey("messages"))
        maxTokens = try container.decodeIfPresent(Int.self, forKey: AnyKey("max_tokens"))
        maxCompletionTokens = try container.decodeIfPresent(Int.self, forKey: AnyKey("max_completion_tokens"))
        n = try container.decodeIfPresent(Int.self, forKey: AnyKey("n"))
        stream = try container.decodeIfPresent(Bool.self, forKey: AnyKey("stream"))
        tools = try container.value("tools")
        responseFormat = try container.value("response_format")
        extra = try container.extra(besides: Self.known)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encodeIfPresent(model, forKey: AnyKey("model"))
        try container.encode(messages, forKey: AnyKey("messages"))
        try container.encodeIfPresent(maxTokens, forKey: AnyKey("max_tokens"))
        try container.encodeIfPresent(maxCompletionTokens, forKey: AnyKey("max_completion_tokens"))
        try container.encodeIfPresent(n, forKey: AnyKey("n"))
        try container.encodeIfPresent(stream, forKey: AnyKey("stream"))
        try container.encodeIfPresent(tools, forKey: AnyKey("tools"))
        try container.encodeIfPresent(responseFormat, forKey: AnyKey("response_format"))
        try container.encode(extra: extra)
    }
}

/// One message: a role, its content (text, or parts such as text and images), a name.
public struct ChatMessage: Hashable, Sendable, Codable {
    /// `system`, `user`, `assistant`, `tool`, ...
    public var role: String
    /// The content: a string, or an array of parts.
    public var content: JSONValue?
    /// The participant's name, if given.
    public var name: String?
    /// Every other field, as sent (`tool_calls`, `tool_call_id`, ...).
    public var extra: [String: JSONValue]

    /// A message whose content is text.
    public init(role: String, text: String, name: String? = nil) {
        self.init(role: role, content: .string(text), name: name)
    }

    /// A message with any content.
    public init(role: String, content: JSONValue?, name: String? = nil, extra: [String: JSONValue] = [:]) {
        self.role = role
        self.content = content
        self.name = name
        self.extra = extra
    }

    /// The text of the content: the string, or the `text` parts joined.
    public var text: String { Self.text(of: content) }

    /// The text of a message's `content`: the string, or the `text` parts joined by newlines.
    static func text(of content: JSONValue?) -> String {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?:
            return parts.compactMap { part -> String? in
                guard case .object(let fields) = part else { return nil }
                return fields["text"]?.stringValue
            }.joined(separator: "\n")
        default: return ""
        }
    }

    private static let known: Set<String> = ["role", "content", "name"]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        role = try container.decode(String.self, forKey: AnyKey("role"))
        content = try container.value("content")
        name = try container.decodeIfPresent(String.self, forKey: AnyKey("name"))
        extra = try container.extra(besides: Self.known)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(role, forKey: AnyKey("role"))
        try container.encodeIfPresent(content, forKey: AnyKey("content"))
        try container.encodeIfPresent(name, forKey: AnyKey("name"))
        try container.encode(extra: extra)
    }
}

/// An embeddings request: one input or many, every other field kept.
public struct EmbeddingRequest: Hashable, Sendable, Codable {
    /// The model; adapters set it (or the deployment) for each attempt.
    public var model: String?
    /// A string, an array of strings, or token arrays, as sent.
    public var input: JSONValue
    /// Every other field, as sent (`dimensions`, `encoding_format`, ...).
    public var extra: [String: JSONValue]

    /// A request to embed `inputs`.
    public init(model: String? = nil, inputs: [String], extra: [String: JSONValue] = [:]) {
        self.model = model
        self.input = inputs.count == 1 ? .string(inputs[0]) : .array(inputs.map(JSONValue.string))
        self.extra = extra
    }

    /// The texts to embed (token-array inputs are not text and count as none).
    public var texts: [String] {
        switch input {
        case .string(let text): return [text]
        case .array(let items): return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
        default: return []
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        model = try container.decodeIfPresent(String.self, forKey: AnyKey("model"))
        input = try container.decode(JSONValue.self, forKey: AnyKey("input"))
        extra = try container.extra(besides: ["model", "input"])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encodeIfPresent(model, forKey: AnyKey("model"))
        try container.encode(input, forKey: AnyKey("input"))
        try container.encode(extra: extra)
    }
}
