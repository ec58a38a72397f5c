/// An HTTP request as plain values: what a provider's adapter (module HeadroomAdapters)
/// builds, a transport sends, and the simulator's mock endpoints could answer.
public struct HTTPRequestData: Hashable, Sendable {
    /// `POST`, `GET`, ...
    public var method: String
    /// The full URL, query included.
    public var url: String
    /// Header fields in order.
    public var headers: [HTTPField]
    /// The body's bytes.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, url: String, headers: [HTTPField], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of the first field named `name`, ignoring case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// One header field.
public struct HTTPField: Hashable, Sendable {
    /// The field's name.
    public var name: String
    /// The field's value.
    public var value: String

    /// Creates a field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The operations Headroom sends to providers.
public enum ProviderOperation: String, Hashable, Sendable {
    /// `/chat/completions` (OpenAI's API)
    case chatCompletions = "chat/completions"
    /// `/embeddings` (OpenAI's API)
    case embeddings
    /// `/messages` (Anthropic's Messages API)
    case messages
}
