/// The live engine's own bounds. A configuration file's fields set them, checked
/// (a configuration's `engine` section); an engine built from parts takes them directly.
public struct EngineLimits: Sendable {
    /// How long one attempt may wait for the response's head (default 120 s).
    public var attemptTimeout: Duration
    /// The longest a request takes in all (default 600 s).
    public var requestTimeout: Duration
    /// The output limit assumed for, and sent with, requests that set none (default 4,096).
    public var defaultMaxTokens: Int
    /// The most bytes read of an answer, and of one event of a stream (default 64 MiB).
    public var maxAnswerBytes: Int
    /// The most bytes of answers kept a day for callers who come back with a request id
    /// (``APIRequest/requestID``) to a request that accepts batch (default 256 MiB). Past it, answers
    /// a caller has taken go first, then the oldest.
    public var maxKeptAnswerBytes: Int

    /// Bounds; each left out takes its default.
    public init(attemptTimeout: Duration = .seconds(120), requestTimeout: Duration = .seconds(600), defaultMaxTokens: Int = 4_096,
                maxAnswerBytes: Int = 64 << 20, maxKeptAnswerBytes: Int = 256 << 20) {
        self.attemptTimeout = attemptTimeout
        self.requestTimeout = requestTimeout
        self.defaultMaxTokens = defaultMaxTokens
        self.maxAnswerBytes = maxAnswerBytes
        self.maxKeptAnswerBytes = maxKeptAnswerBytes
    }
}
