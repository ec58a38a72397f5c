/// How a provider charges a request against its tokens-per-minute limit: what it
/// reserves when the request arrives, and what the charge settles at once the
/// response reports the usage.
///
/// The scheduler reserves exactly what the provider will count, so that its own
/// accounting and the provider's agree and no 429 comes as a surprise.
///
/// ```swift
/// var deployment = try Deployment(id: "east", provider: .azureOpenAI, models: ["gpt-4o"],
///                                 requestsPerMinute: 600, tokensPerMinute: 100_000)
/// deployment.charge = .actualUsage // an OpenAI-compatible server that counts real tokens
/// ```
public struct ChargeRule: Sendable {
    /// The rules computed from a job's sizes alone. Holds no references, so
    /// the dispatch pass reads it without retaining anything.
    enum BuiltIn: Hashable, Sendable {
        case promptPlusMaxOutput
        case largerOfMaxOutputAndCharacters(charactersPerToken: Int)
        case actualUsage

        @inline(__always)
        func reservation(for size: JobSize) -> Int {
            switch self {
            case .promptPlusMaxOutput, .actualUsage:
                return size.contextTokens
            case .largerOfMaxOutputAndCharacters(let perToken):
                let characters = size.promptCharacters ?? size.promptTokens.multipliedReportingOverflow(by: perToken).partialValue
                return max(size.maxOutputTokens, (characters + perToken - 1) / perToken)
            }
        }

        /// From 0 to ``Deployment/largestQuota``: the usage comes from outside, and no charge may overflow the ledger's sums.
        func settlement(for size: JobSize, usage: Usage) -> Int {
            let tokens = switch self {
            case .promptPlusMaxOutput: max(0, usage.promptTokens).addingSaturating(size.maxOutputTokens)
            case .largerOfMaxOutputAndCharacters: reservation(for: size)
            case .actualUsage: max(0, usage.totalTokens)
            }
            return min(tokens, Deployment.largestQuota)
        }
    }

    /// A rule of the caller's own.
    struct Custom: Sendable {
        let reserve: @Sendable (Job) -> Int
        let settle: @Sendable (Job, Usage) -> Int
    }

    /// Exactly one of the two is set.
    let builtIn: BuiltIn?
    let custom: Custom?

    private init(_ builtIn: BuiltIn) {
        self.builtIn = builtIn
        custom = nil
    }

    private init(_ custom: Custom) {
        builtIn = nil
        self.custom = custom
    }

    /// Azure OpenAI: the prompt plus `max_tokens` at arrival. Once the provider's
    /// prompt count is known the charge settles at that count plus `max_tokens`;
    /// the unused output allowance is not refunded.
    public static let azure = ChargeRule(.promptPlusMaxOutput)

    /// OpenAI: the larger of `max_tokens` and an estimate from the prompt's
    /// characters (four a token). The provider computes it from the request
    /// alone, so it does not change when the response arrives.
    public static let openAI = ChargeRule(.largerOfMaxOutputAndCharacters(charactersPerToken: 4))

    /// Reserve the prompt plus `max_tokens`; settle at the tokens actually used.
    /// For servers that count real usage (vLLM, many gateways).
    public static let actualUsage = ChargeRule(.actualUsage)

    /// A rule of your own. `reserve` must not return less than `settle` would
    /// for the same job if the scheduler is to stay within the limits.
    public static func custom(
        reserve: @escaping @Sendable (Job) -> Int,
        settle: @escaping @Sendable (Job, Usage) -> Int
    ) -> ChargeRule {
        ChargeRule(Custom(reserve: reserve, settle: settle))
    }

    /// The default rule of a provider family.
    public static func `default`(for provider: ProviderKind) -> ChargeRule {
        switch provider {
        case .azureOpenAI: .azure
        case .openAI: .openAI
        case .openAICompatible: .actualUsage
        }
    }

    /// The tokens reserved when the job is dispatched.
    public func reservation(for job: Job) -> Int {
        if let custom { return max(0, custom.reserve(job)) }
        return builtIn!.reservation(for: JobSize(job))
    }

    /// Whether this is a rule of the caller's own.
    var isCustom: Bool { custom != nil }

    /// The tokens the request costs once the provider has reported its usage,
    /// from 0 to ``Deployment/largestQuota`` (the usage comes from outside).
    public func settlement(for job: Job, usage: Usage) -> Int {
        let tokens = if let custom { custom.settle(job, usage) } else { builtIn!.settlement(for: JobSize(job), usage: usage) }
        return min(max(0, tokens), Deployment.largestQuota)
    }
}

/// The figures of a job that built-in charge rules need, without its strings.
struct JobSize: Hashable, Sendable {
    var promptTokens: Int
    var maxOutputTokens: Int
    var promptCharacters: Int?

    init(_ job: borrowing Job) {
        promptTokens = job.promptTokens
        maxOutputTokens = job.maxOutputTokens
        promptCharacters = job.promptCharacters
    }

    var contextTokens: Int { promptTokens.addingSaturating(maxOutputTokens) }
}
