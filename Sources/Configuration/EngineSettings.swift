/// The `engine` section of a configuration: the live engine's own bounds.
///
/// ```json
/// "engine": {"attemptTimeoutSeconds": 60, "defaultMaxTokens": 1024}
/// ```
public struct EngineSettings: Hashable, Sendable, Codable {
    /// How long one attempt may wait for the response's head (default 120 s).
    public var attemptTimeoutSeconds: Double?
    /// The longest a request takes in all, waits and attempts included (default 600 s).
    public var requestTimeoutSeconds: Double?
    /// The output limit of requests that set none (default 4,096), sent upstream as `max_tokens`.
    public var defaultMaxTokens: Int?
    /// The most bytes read of a provider's answer, and of one event of a stream (default 64 MiB).
    public var maxAnswerBytes: Int?
    /// The most bytes of answers kept a day for callers who come back with an idempotency key to a
    /// request that accepts batch (default 256 MiB).
    public var maxKeptAnswerBytes: Int?
    /// The file that records the batches under way, so that a restart picks them up (default
    /// `headroom-batches.jsonl` in the working folder, when there are batch deployments).
    public var batchJournal: String?

    /// Settings that leave everything at its default.
    public init() {}
}
