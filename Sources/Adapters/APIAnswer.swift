import HeadroomCore

/// A provider's answer to an ``APIRequest``: which attempt gave it, its body as the provider
/// sent it, and the usage it reported (the engine's estimate where it reported none).
public struct APIAnswer: Sendable, Equatable {
    /// The attempt that answered, and the provider's header fields.
    public var head: AnswerHead
    /// The body: a JSON object.
    public var body: [UInt8]
    /// The tokens used.
    public var usage: Usage

    /// Creates an answer.
    public init(head: AnswerHead, body: [UInt8], usage: Usage) {
        self.head = head
        self.body = body
        self.usage = usage
    }
}

/// Which attempt answered a request, how long the request waited for its first, and the
/// header fields the provider answered with.
public struct AnswerHead: Sendable, Equatable {
    /// The deployment that answered.
    public var deployment: DeploymentID
    /// The attempt that answered: 1 for the first.
    public var attempt: Int
    /// From submission to the first attempt.
    public var queuedFor: Duration
    /// The provider's header fields (names as sent; one value a name).
    public var headers: [String: String]

    /// Creates a head.
    public init(deployment: DeploymentID, attempt: Int, queuedFor: Duration, headers: [String: String]) {
        self.deployment = deployment
        self.attempt = attempt
        self.queuedFor = queuedFor
        self.headers = headers
    }
}

/// One part of a streamed answer: its head, each event's data, then the usage.
public enum APIStreamPart: Sendable, Equatable {
    /// The attempt whose events follow, and the provider's header fields.
    case head(AnswerHead)
    /// One event's data, as sent: a JSON object.
    case event([UInt8])
    /// The tokens used, after the last event: as reported in the stream, else the engine's estimate.
    case usage(Usage)
}
