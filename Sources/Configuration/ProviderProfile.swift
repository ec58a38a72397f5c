import HeadroomAdapters
import HeadroomCore

/// What a configuration's provider name stands for: how the scheduler should see a
/// deployment of it (its charge rule and windows), the quota of requests it
/// assumes when a deployment gives none, and how to build the adapter that speaks
/// its API. Register your own in a ``Registry``.
///
/// ```swift
/// var registry = Registry.standard
/// try registry.register(provider: "my-vllm", ProviderProfile(kind: .openAICompatible, charge: .actualUsage) { settings, key in
///     OpenAIAdapter(baseURL: settings.baseURL ?? "http://127.0.0.1:8000/v1", apiKey: key, provider: .openAICompatible)
/// })
/// ```
public struct ProviderProfile: Sendable {
    /// Builds the adapter of one deployment from its settings and its API key.
    public typealias AdapterMaker = @Sendable (DeploymentSettings, APIKey) throws(HeadroomError) -> any ProviderAdapter

    /// The provider family.
    public var kind: ProviderKind
    /// How requests are charged against the token limit.
    public var charge: ChargeRule
    /// The windows over which the limits are enforced.
    public var windows: RateWindows
    /// Requests a minute per 1,000 tokens a minute, for a deployment that gives no request quota (at least 1).
    public var requestsPerThousandTokens: Int
    /// Whether the provider limits output tokens apart, so that a deployment must give `outputTokensPerMinute`.
    public var limitsOutputApart: Bool
    /// Builds the adapter.
    public var adapter: AdapterMaker

    /// Creates a profile; the charge rule and windows default to the family's.
    public init(kind: ProviderKind, charge: ChargeRule? = nil, windows: RateWindows? = nil, requestsPerThousandTokens: Int = 1,
                limitsOutputApart: Bool = false, adapter: @escaping AdapterMaker) {
        self.kind = kind
        self.charge = charge ?? .default(for: kind)
        self.windows = windows ?? .default(for: kind)
        self.requestsPerThousandTokens = requestsPerThousandTokens
        self.limitsOutputApart = limitsOutputApart
        self.adapter = adapter
    }

    /// The request quota assumed for `tokensPerMinute` when a deployment gives none.
    public func requestsPerMinute(tokensPerMinute: Int) -> Int {
        max(1, tokensPerMinute.multipliedReportingOverflow(by: max(1, requestsPerThousandTokens)).partialValue / 1_000)
    }

    /// Azure OpenAI: the deployment named in the path (or, on the `v1` route, in the body); 6 requests a minute per 1,000 tokens.
    public static let azure = ProviderProfile(kind: .azureOpenAI, requestsPerThousandTokens: 6) { settings, key throws(HeadroomError) in
        guard let endpoint = settings.endpoint else {
            throw HeadroomError(.invalidConfiguration, "Deployment '\(settings.id)': an Azure deployment needs \"endpoint\".")
        }
        let route: AzureOpenAIAdapter.Route
        switch settings.azureRoute ?? "deployments" {
        case "deployments": route = .deployments
        case "v1": route = .v1
        case let other: throw HeadroomError(.invalidConfiguration, "Deployment '\(settings.id)': azureRoute is '\(other)'; use \"deployments\" or \"v1\".")
        }
        return AzureOpenAIAdapter(endpoint: endpoint, apiKey: key, apiVersion: settings.apiVersion ?? "2024-10-21",
                                  deployments: settings.deploymentNames ?? [:], route: route)
    }

    /// OpenAI's own API, at `https://api.openai.com/v1` unless `baseURL` says otherwise.
    public static let openAI = ProviderProfile(kind: .openAI) { settings, key in
        OpenAIAdapter(baseURL: settings.baseURL ?? "https://api.openai.com/v1", apiKey: key)
    }

    /// Anthropic's Messages API, at `https://api.anthropic.com/v1` unless `baseURL` says otherwise: requests,
    /// input tokens (`tokensPerMinute`) and output tokens (`outputTokensPerMinute`) a minute.
    public static let anthropic = ProviderProfile(kind: .anthropic, limitsOutputApart: true) { settings, key in
        AnthropicAdapter(baseURL: settings.baseURL ?? "https://api.anthropic.com/v1", apiKey: key)
    }

    /// A server that speaks OpenAI's API at its own `baseURL` (vLLM, llama.cpp, another gateway).
    public static let openAICompatible = ProviderProfile(kind: .openAICompatible) { settings, key throws(HeadroomError) in
        guard let baseURL = settings.baseURL else {
            throw HeadroomError(.invalidConfiguration, "Deployment '\(settings.id)': an OpenAI-compatible deployment needs \"baseURL\".")
        }
        return OpenAIAdapter(baseURL: baseURL, apiKey: key, provider: .openAICompatible)
    }
}
