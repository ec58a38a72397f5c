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
public enum ChargeRule: Sendable {
    /// The prompt plus `max_tokens` at arrival; once the provider's prompt count
    /// is known the charge settles at that count plus `max_tokens` (the unused
    /// output allowance is not refunded). Azure OpenAI's rule (``azure``).
    case promptPlusMaxOutput
    /// The larger of `max_tokens` and the prompt's characters divided by
    /// `charactersPerToken`, computed from the request alone, so it does not
    /// change when the response arrives. OpenAI's rule, four characters a token (``openAI``).
    case largerOfMaxOutputAndCharacters(charactersPerToken: Int)
    /// Reserve the prompt plus `max_tokens`; settle at the tokens actually used.
    /// For servers that count real usage (vLLM, many gateways).
    case actualUsage
    /// The prompt alone, settled at the provider's count of input tokens: for a provider that
    /// limits output separately (Anthropic; the output counts against
    /// ``Deployment/outputTokensPerMinute``, reserved at `max_tokens` and settled at what was generated).
    case promptOnly
    /// A rule of your own. `reserve` must not return less than `settle` would
    /// for the same job if the scheduler is to stay within the limits.
    case custom(reserve: @Sendable (Job) -> Int, settle: @Sendable (Job, Usage) -> Int)

    /// Azure OpenAI: ``promptPlusMaxOutput``.
    public static let azure = ChargeRule.promptPlusMaxOutput

    /// OpenAI: ``largerOfMaxOutputAndCharacters(charactersPerToken:)``, four characters a token.
    public static let openAI = ChargeRule.largerOfMaxOutputAndCharacters(charactersPerToken: 4)

    /// The default rule of a provider family.
    public static func `default`(for provider: ProviderKind) -> ChargeRule {
        switch provider {
        case .azureOpenAI: .azure
        case .openAI: .openAI
        case .openAICompatible: .actualUsage
        case .anthropic: .promptOnly
        }
    }

    /// The tokens reserved when the job is dispatched.
    public func reservation(for job: Job) -> Int {
        if case .custom(let reserve, _) = self { return max(0, reserve(job)) }
        return reservation(for: JobSize(job)) ?? 0
    }

    /// The tokens the request costs once the provider has reported its usage,
    /// from 0 to ``Deployment/largestQuota`` (the usage comes from outside).
    public func settlement(for job: Job, usage: Usage) -> Int {
        if case .custom(_, let settle) = self { return min(max(0, settle(job, usage)), Deployment.largestQuota) }
        return settlement(for: JobSize(job), usage: usage) ?? 0
    }

    /// Whether this is a rule of the caller's own.
    var isCustom: Bool {
        if case .custom = self { true } else { false }
    }

    /// What a built-in rule reserves, from the job's sizes alone (`nil` for a custom rule, which needs the job).
    func reservation(for size: JobSize) -> Int? {
        switch self {
        case .promptPlusMaxOutput, .actualUsage:
            return size.contextTokens
        case .promptOnly:
            return size.promptTokens
        case .largerOfMaxOutputAndCharacters(let perToken):
            let perToken = max(1, perToken)
            let characters = size.promptCharacters ?? size.promptTokens.multipliedReportingOverflow(by: perToken).partialValue
            return max(size.maxOutputTokens, characters / perToken + (characters % perToken == 0 ? 0 : 1))
        case .custom:
            return nil
        }
    }

    /// What a built-in rule settles at, from 0 to ``Deployment/largestQuota`` (`nil` for a custom rule).
    func settlement(for size: JobSize, usage: Usage) -> Int? {
        let tokens: Int
        switch self {
        case .promptPlusMaxOutput: tokens = max(0, usage.promptTokens).addingSaturating(size.maxOutputTokens)
        case .largerOfMaxOutputAndCharacters: tokens = reservation(for: size) ?? 0
        case .actualUsage: tokens = max(0, usage.totalTokens)
        case .promptOnly: tokens = max(0, usage.promptTokens)
        case .custom: return nil
        }
        return min(tokens, Deployment.largestQuota)
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
