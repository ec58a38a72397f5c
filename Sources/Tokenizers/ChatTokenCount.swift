import HeadroomCore

/// Counts a chat request's prompt tokens by the OpenAI cookbook's rule
/// ("How to count tokens with tiktoken"): 3 tokens a message, plus the tokens
/// of its role, content and name, plus 1 when a name is given; plus 3 for the
/// reply's priming. Exact with an exact tokenizer (for current models; tools and
/// images follow published heuristics only), an estimate with an estimator.
///
/// ```swift
/// let prompt = ChatTokenCount.count([("system", "Be brief.", nil), ("user", "Hi!", nil)], using: ClassEstimate(.o200k))
/// ```
public enum ChatTokenCount {
    /// The prompt tokens of `messages` (role, content, optional name) counted with `tokenizer`.
    public static func count(_ messages: [(role: String, content: String, name: String?)], using tokenizer: some Tokenizer) -> Int {
        var total = 3
        for message in messages {
            total += 3 + tokenizer.count(message.role) + tokenizer.count(message.content)
            if let name = message.name { total += tokenizer.count(name) + 1 }
        }
        return total
    }
}
