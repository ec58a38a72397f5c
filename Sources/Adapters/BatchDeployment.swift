import HeadroomCore

/// How an engine reaches a batch deployment (a ``HeadroomCore/Deployment`` of kind
/// ``HeadroomCore/DeploymentKind/batch``): its Batch API and the rules its files and polls follow.
///
/// ```swift
/// let batch = BatchDeployment(api: BatchAPI(.openAI(baseURL: "https://api.openai.com/v1"), apiKey: key), rules: BatchRules())
/// let engine = try HeadroomEngine(scheduler: scheduler, adapters: adapters, batches: ["batch": batch])
/// ```
public struct BatchDeployment: Sendable {
    /// Its Batch API.
    public var api: BatchAPI
    /// When files go, how batches are polled, the grace period.
    public var rules: BatchRules

    /// Creates one.
    public init(api: BatchAPI, rules: BatchRules) {
        self.api = api
        self.rules = rules
    }
}
