/// Which provider family serves a deployment; it decides the defaults for how
/// requests are charged against the limits and over which windows.
public enum ProviderKind: String, Hashable, Sendable, CaseIterable, Codable {
    /// OpenAI's own API.
    case openAI
    /// Azure OpenAI (a deployment in an Azure resource).
    case azureOpenAI
    /// Any server that speaks the OpenAI API (vLLM, llama.cpp, a gateway, ...).
    case openAICompatible
    /// Anthropic's Messages API: requests, input tokens and output tokens a minute, each a bucket
    /// that refills continuously (``Deployment/outputTokensPerMinute``).
    case anthropic
}
