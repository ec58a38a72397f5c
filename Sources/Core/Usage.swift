/// The tokens a provider reports it used for one request.
public struct Usage: Hashable, Sendable {
    /// Tokens in the prompt, as the provider counted them.
    public var promptTokens: Int
    /// Tokens generated.
    public var completionTokens: Int
    /// Of the prompt tokens, those read from the provider's prompt cache (OpenAI's
    /// `prompt_tokens_details.cached_tokens`), which it bills at a lower price.
    public var cachedPromptTokens: Int

    /// Creates a usage report.
    public init(promptTokens: Int, completionTokens: Int, cachedPromptTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedPromptTokens = cachedPromptTokens
    }

    /// Prompt and completion tokens together (clamped to the bounds of `Int`: the figures come from outside).
    public var totalTokens: Int { promptTokens.addingSaturating(completionTokens) }
}
