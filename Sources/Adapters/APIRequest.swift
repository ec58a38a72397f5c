import HeadroomCore

/// A request to a provider's API as a client sent it: the body's bytes go upstream as they came, but
/// for the members that must change, and what the scheduler needs from them
/// (model, output limit, `n`, whether to stream, the prompt's text) is read once.
///
/// ```swift
/// let body = try APIRequest(.chatCompletions, bytes: Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi!"}]}"#.utf8))
/// let answer = try await engine.send(body)   // the provider's answer, as bytes
/// ```
public struct APIRequest: Sendable {
    /// What the body asks for.
    public let operation: ProviderOperation
    /// The JSON text to send.
    public private(set) var bytes: [UInt8]
    /// The body's top-level members, parsed.
    public private(set) var fields: [String: JSONValue]
    /// Header fields to send along, such as a provider's beta flags. Those the adapter sets (the key,
    /// the content type) and those in ``reservedHeaderNames`` are never sent from here.
    public var headers: [HTTPField] = []
    /// Whose request it is, for policies that share capacity between tenants (``Job/tenant``).
    public var tenant: String?
    /// Whether a batch deployment's late, discounted answer will do (``Job/acceptsBatch``). A stream never goes to batch.
    public var acceptsBatch = false
    /// The caller's own id for the request (an idempotency key): a request sent to batch is known by it, so that
    /// a caller who left, or came back after a restart, gets the answer rather than paying again.
    public var requestID: String?
    /// Whether an object in the body names a member twice (or two names that are one to Swift's strings):
    /// ``fields`` then keeps only one, and does not describe the body exactly.
    public let repeatsMemberName: Bool

    /// Fields a caller cannot send: credentials, and what HTTP itself manages.
    public static let reservedHeaderNames: Set<String> = [
        "authorization", "api-key", "x-api-key", "proxy-authorization", "cookie", "host", "content-length", "content-type", "transfer-encoding",
        "connection", "keep-alive", "proxy-connection", "upgrade", "te", "trailer", "expect",
    ]

    /// Reads `bytes` as a request for `operation`. Throws ``HeadroomError/Kind/invalidJob`` with
    /// the reason when they are not JSON, nest deeper than 64, or lack what the operation needs
    /// (`messages`, an array of objects each with a `role`; or `input`), or when a member the
    /// scheduler reads has the wrong type.
    public init(_ operation: ProviderOperation, bytes: [UInt8]) throws(HeadroomError) {
        let parsed: JSONValue
        do {
            (parsed, repeatsMemberName) = try JSONParser.parseNotingRepeats(bytes)
        } catch .tooDeep {
            throw HeadroomError(.invalidJob, "The body nests arrays and objects more than \(JSONParser.deepestAllowed) deep; no request needs that.")
        } catch {
            throw HeadroomError(.invalidJob, "The body is not JSON.")
        }
        guard case .object(let fields) = parsed else { throw HeadroomError(.invalidJob, "The body is not a JSON object.") }
        self.operation = operation
        self.bytes = bytes
        self.fields = fields
        try validate()
    }

    /// The model asked for.
    public var model: String? { fields["model"]?.stringValue }

    /// Whether the answer is to stream as server-sent events.
    public var isStreaming: Bool { fields["stream"]?.boolValue ?? false }

    /// The output limit (`max_completion_tokens`, else `max_tokens`), if the body sets one.
    public var outputLimit: Int? { fields["max_completion_tokens"]?.integerValue ?? fields["max_tokens"]?.integerValue }

    /// How many choices to generate (`n`, 1 when not set).
    public var choices: Int { fields["n"]?.integerValue ?? 1 }

    /// A chat's messages, each as its role, its content's text and its name; for Anthropic's
    /// Messages API, its `system` prompt first.
    public var messages: [(role: String, content: String, name: String?)] {
        guard case .array(let items)? = fields["messages"] else { return [] }
        let system: [(role: String, content: String, name: String?)] = operation == .messages && fields["system"] != nil
            ? [("system", ChatMessage.text(of: fields["system"]), nil)] : []
        return system + items.compactMap { item in
            guard case .object(let message) = item, let role = message["role"]?.stringValue else { return nil }
            return (role, ChatMessage.text(of: message["content"]), message["name"]?.stringValue)
        }
    }

    /// An embedding request's texts (token-array inputs are not text and count as none).
    public var texts: [String] {
        switch fields["input"] {
        case .string(let text)?: [text]
        case .array(let items)?: items.compactMap(\.stringValue)
        default: []
        }
    }

    /// Sets member `name` to `value` in the bytes to send, every other byte kept.
    public mutating func set(_ name: String, to value: JSONValue) throws(HeadroomError) {
        bytes = try JSONObjectEdit.setting(name, to: value, in: bytes)
        fields[name] = value
    }

    private func validate() throws(HeadroomError) {
        func check(_ name: String, _ type: String, _ isValid: (JSONValue) -> Bool) throws(HeadroomError) {
            guard let value = fields[name], value != .null else { return }
            guard isValid(value) else { throw HeadroomError(.invalidJob, "\"\(name)\" must be \(type).") }
        }
        try check("model", "a string") { $0.stringValue != nil }
        try check("stream", "true or false") { $0.boolValue != nil }
        for name in ["max_tokens", "max_completion_tokens", "n"] {
            try check(name, "an integer") { $0.integerValue != nil }
        }
        switch operation {
        case .chatCompletions, .messages:
            guard case .array(let messages)? = fields["messages"],
                  messages.allSatisfy({ if case .object(let message) = $0 { message["role"]?.stringValue != nil } else { false } }) else {
                let kind = operation == .messages ? "A message request" : "A chat completion request"
                throw HeadroomError(.invalidJob, "\(kind) needs \"messages\": an array of objects, each with a \"role\".")
            }
        case .embeddings:
            guard let input = fields["input"], input != .null else {
                throw HeadroomError(.invalidJob, "An embedding request needs \"input\": a string, or an array of strings or tokens.")
            }
        }
    }
}

extension JSONValue {
    /// The string, if this is one.
    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    /// The Boolean, if this is one.
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    /// The integer, if this is one: written as one, or as a number with no fraction (`100.0`, `1e3`), within `Int`.
    public var integerValue: Int? {
        switch self {
        case .integer(let value): value
        case .number(let value) where value == value.rounded(): Int(exactly: value)
        default: nil
        }
    }
}
