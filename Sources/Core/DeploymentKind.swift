/// How a deployment answers: at once, or hours later from a batch file.
///
/// A batch endpoint (OpenAI's and Azure OpenAI's Batch API) bills half price and
/// answers within its completion window; its quota is the tokens enqueued at once
/// (``Deployment/maxEnqueuedTokens``), not tokens a minute. Only jobs that accept
/// a late answer (``Job/acceptsBatch``) go to one.
public enum DeploymentKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Answers each request as it comes (the default).
    case synchronous
    /// Answers requests grouped into batch files, within the provider's completion window.
    case batch
}
