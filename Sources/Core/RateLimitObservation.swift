/// What a provider's rate-limit headers said about a deployment's budget at one
/// moment (`x-ratelimit-remaining-tokens`, `x-ratelimit-reset-tokens`, ...).
///
/// The scheduler adopts the server's view whenever it is lower than its own:
/// other clients may share the quota.
public struct RateLimitObservation: Hashable, Sendable {
    /// How the provider's budget comes back.
    public enum Refill: Hashable, Sendable {
        /// Continuously, reaching the limit at the reset (OpenAI's token buckets).
        case continuous
        /// All at once at the reset (fixed windows, as Azure OpenAI counts).
        case atReset
    }

    /// Requests the server says are left.
    public var remainingRequests: Int?
    /// Tokens the server says are left.
    public var remainingTokens: Int?
    /// The server's request limit, when it reports one.
    public var requestLimit: Int?
    /// The server's token limit, when it reports one.
    public var tokenLimit: Int?
    /// How long until the request budget is fully restored.
    public var requestsResetIn: Duration?
    /// How long until the token budget is fully restored.
    public var tokensResetIn: Duration?
    /// How the budget comes back until then.
    public var refill: Refill
    /// Output tokens the server says are left, where it limits them apart (Anthropic).
    public var remainingOutputTokens: Int?
    /// The server's output-token limit, when it reports one.
    public var outputTokenLimit: Int?
    /// How long until the output-token budget is fully restored.
    public var outputTokensResetIn: Duration?

    /// What the headers say of the output-token budget, as an observation of its own (`nil`: nothing).
    var outputBudget: RateLimitObservation? {
        remainingOutputTokens.map { RateLimitObservation(remainingTokens: $0, tokenLimit: outputTokenLimit, tokensResetIn: outputTokensResetIn, refill: refill) }
    }

    /// Creates an observation; leave out what the headers did not say.
    public init(
        remainingRequests: Int? = nil,
        remainingTokens: Int? = nil,
        requestLimit: Int? = nil,
        tokenLimit: Int? = nil,
        requestsResetIn: Duration? = nil,
        tokensResetIn: Duration? = nil,
        refill: Refill = .continuous
    ) {
        self.remainingRequests = remainingRequests
        self.remainingTokens = remainingTokens
        self.requestLimit = requestLimit
        self.tokenLimit = tokenLimit
        self.requestsResetIn = requestsResetIn
        self.tokensResetIn = tokensResetIn
        self.refill = refill
    }
}
