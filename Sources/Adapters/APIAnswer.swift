/// A provider's answer to an ``APIRequest``: its header fields and its body, as it sent them.
public struct APIAnswer: Sendable {
    /// The header fields (names as sent; one value a name).
    public var headers: [String: String]
    /// The body: a JSON object.
    public var body: [UInt8]

    /// Creates an answer.
    public init(headers: [String: String], body: [UInt8]) {
        self.headers = headers
        self.body = body
    }
}

/// One part of a streamed answer: first the provider's header fields, then each event's data.
public enum APIStreamPart: Sendable, Equatable {
    /// The header fields of the attempt whose events follow (names as sent; one value a name).
    case head([String: String])
    /// One event's data, as sent: a JSON object.
    case event([UInt8])
}
