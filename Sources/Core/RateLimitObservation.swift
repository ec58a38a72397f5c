/// What a provider's rate-limit headers said about a deployment's budgets at one
/// moment (`x-ratelimit-remaining-tokens`, `x-ratelimit-reset-tokens`, ...).
///
/// The scheduler adopts the server's view whenever it is lower than its own:
/// other clients may share the quota.
///
/// ```swift
/// let observation = RateLimitObservation(
///     tokens: .init(remaining: 89_000, limit: 150_000, resetIn: .seconds(3)),
///     refill: .continuous
/// )
/// observation.tokens?.remaining // 89,000
/// ```
public struct RateLimitObservation: Hashable, Sendable {
    /// How the provider's budget comes back.
    public enum Refill: Hashable, Sendable {
        /// Continuously, reaching the limit at the reset (OpenAI's token buckets).
        case continuous
        /// All at once at the reset (fixed windows, as Azure OpenAI counts).
        case atReset
    }

    /// What the headers said of one budget: what is left, and, when they say, its limit and
    /// how long until it is full again. Headers that do not say what is left say nothing usable.
    public struct Budget: Hashable, Sendable {
        /// What the server says is left.
        public var remaining: Int
        /// The server's limit, when it states one (a continuous budget refills at this rate).
        public var limit: Int?
        /// `resetIn` in nanoseconds. (An observation travels with every answer; kept in
        /// nanoseconds, as ``Instant`` is, the observation is small enough to copy inline.)
        @usableFromInline var resetNanoseconds: Int64?

        /// How long until the budget is fully restored, when the server says.
        public var resetIn: Duration? {
            get { resetNanoseconds.map(Duration.nanoseconds) }
            set { resetNanoseconds = newValue?.nanoseconds }
        }

        /// A budget with `remaining` left; leave out what the headers did not say.
        @inlinable
        public init(remaining: Int, limit: Int? = nil, resetIn: Duration? = nil) {
            self.remaining = remaining
            self.limit = limit
            resetNanoseconds = resetIn?.nanoseconds
        }

        /// A budget whose reset is given in nanoseconds (the simulator's mocks, which count in them).
        @inlinable
        package init(remaining: Int, limit: Int?, resetNanoseconds: Int64) {
            self.remaining = remaining
            self.limit = limit
            self.resetNanoseconds = resetNanoseconds
        }
    }

    /// The request budget, when the headers describe it.
    public var requests: Budget?
    /// The token budget (input tokens where output is limited apart), when the headers describe it.
    public var tokens: Budget?
    /// The output-token budget, where the provider limits output apart (Anthropic).
    public var outputTokens: Budget?
    /// How the budgets come back until their resets.
    public var refill: Refill

    /// Creates an observation; leave out the budgets the headers did not describe.
    @inlinable
    public init(requests: Budget? = nil, tokens: Budget? = nil, outputTokens: Budget? = nil, refill: Refill = .continuous) {
        self.requests = requests
        self.tokens = tokens
        self.outputTokens = outputTokens
        self.refill = refill
    }

    /// Whether the headers described any budget.
    public var isEmpty: Bool { requests == nil && tokens == nil && outputTokens == nil }

    /// The output-token budget as an observation of its own, for the ledger that keeps it (`nil`: nothing said).
    var outputBudget: RateLimitObservation? {
        outputTokens.map { RateLimitObservation(tokens: $0, refill: refill) }
    }
}
