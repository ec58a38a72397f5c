/// The live engine's own bounds, as a configuration sets them (checked by `EngineConfiguration.limits()`).
struct EngineLimits: Sendable {
    /// How long one attempt may wait for the response's head.
    var attemptTimeout: Duration
    /// The longest a request takes in all.
    var requestTimeout: Duration
    /// The output limit assumed for requests that set none.
    var defaultMaxTokens: Int
    /// The most bytes read of an answer, and of one event of a stream.
    var maxAnswerBytes: Int
}
