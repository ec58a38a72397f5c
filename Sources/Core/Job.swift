/// A request waiting to be scheduled: which models may serve it, how large it
/// is, how urgent it is.
///
/// ```swift
/// let job = Job(model: "gpt-4o", promptTokens: 1_200, maxOutputTokens: 400, priority: 1)
/// ```
public struct Job: Sendable, Hashable {
    /// Models any one of which may serve the job; empty means any deployment will do.
    public var models: [String]
    /// The estimated number of prompt tokens (see the Tokenizers module).
    public var promptTokens: Int
    /// The most tokens the job may generate (`max_tokens` / `max_completion_tokens`).
    public var maxOutputTokens: Int
    /// The number of characters in the prompt, for providers that estimate by characters.
    /// When `nil`, four characters a prompt token are assumed.
    public var promptCharacters: Int?
    /// Larger goes first under priority queue policies; 0 by default.
    public var priority: Int
    /// Who the job is for, for the driver's bookkeeping.
    public var tenant: String?
    /// The job fails with ``HeadroomError/Kind/deadlineExceeded`` if it is still
    /// waiting at this instant. A job already in flight then is not interrupted.
    public var deadline: Instant?
    /// Whether a late answer will do: the job then goes to a batch deployment serving one of its models
    /// (half price, answered within hours), or, where none does, to a synchronous one. `false` by default.
    public var acceptsBatch = false

    /// Creates a job for one model.
    public init(
        model: String,
        promptTokens: Int,
        maxOutputTokens: Int,
        promptCharacters: Int? = nil,
        priority: Int = 0,
        tenant: String? = nil,
        deadline: Instant? = nil,
        acceptsBatch: Bool = false
    ) {
        self.init(
            models: [model], promptTokens: promptTokens, maxOutputTokens: maxOutputTokens,
            promptCharacters: promptCharacters, priority: priority, tenant: tenant, deadline: deadline, acceptsBatch: acceptsBatch
        )
    }

    /// Creates a job that any of `models` may serve (any deployment when empty).
    public init(
        models: [String],
        promptTokens: Int,
        maxOutputTokens: Int,
        promptCharacters: Int? = nil,
        priority: Int = 0,
        tenant: String? = nil,
        deadline: Instant? = nil,
        acceptsBatch: Bool = false
    ) {
        self.models = models
        self.promptTokens = promptTokens
        self.maxOutputTokens = maxOutputTokens
        self.promptCharacters = promptCharacters
        self.priority = priority
        self.tenant = tenant
        self.deadline = deadline
        self.acceptsBatch = acceptsBatch
    }

    /// Prompt plus maximum output: the context the job needs.
    public var contextTokens: Int { promptTokens.addingSaturating(maxOutputTokens) }

    /// Why the job's fields are unusable, or `nil` when they are fine.
    func validationProblem() -> String? {
        // Bounded like the quotas, so that no sum of charges can overflow.
        let largest = Deployment.largestQuota
        if !(0 ... largest).contains(promptTokens) { return "promptTokens is \(promptTokens); it must be from 0 to 1,000,000,000,000." }
        if !(0 ... largest).contains(maxOutputTokens) { return "maxOutputTokens is \(maxOutputTokens); it must be from 0 to 1,000,000,000,000." }
        if let characters = promptCharacters, !(0 ... largest).contains(characters) {
            return "promptCharacters is \(characters); it must be from 0 to 1,000,000,000,000, or nil."
        }
        return nil
    }
}

extension Int {
    /// `self + other`, clamped to the bounds of `Int`.
    package func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { return other < 0 ? .min : .max }
        return sum
    }
}
