/// An HTTP request as plain values: what an adapter builds, a transport sends,
/// and the simulator's mock endpoints could answer.
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
    /// `/chat/completions`
    case chatCompletions = "chat/completions"
    /// `/embeddings`
    case embeddings
}

/// Knows one provider's wire format: builds the HTTP request for an operation
/// on one deployment.
///
/// Implementers must be pure: the same arguments give the same request, and
/// nothing secret (an API key) appears in an error.
public protocol ProviderAdapter: Sendable {
    /// The provider family, which decides how requests are charged (``ChargeRule``).
    var provider: ProviderKind { get }
    /// The request for `operation` carrying the JSON object `body` for `model`.
    func request(_ operation: ProviderOperation, body: [UInt8], model: String) throws(HeadroomError) -> HTTPRequestData
}
