/// The tokens a provider reports it used for one request.
public struct Usage: Hashable, Sendable {
    /// Tokens in the prompt, as the provider counted them.
    public var promptTokens: Int
    /// Tokens generated.
    public var completionTokens: Int

    /// Creates a usage report.
    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    /// Prompt and completion tokens together (clamped to the bounds of `Int`: the figures come from outside).
    public var totalTokens: Int { promptTokens.addingSaturating(completionTokens) }
}
