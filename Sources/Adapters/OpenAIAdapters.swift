import Foundation
import HeadroomCore

/// OpenAI, or any server that speaks its API: `POST {baseURL}/chat/completions`
/// and `/embeddings` with a bearer key. The body's `model` is set to the model.
///
/// OpenAI charges a request the larger of `max_tokens` and the prompt's
/// characters / 4 (``ChargeRule/openAI``); OpenAI-compatible servers usually
/// count actual usage (``ChargeRule/actualUsage``).
public struct OpenAIAdapter: ProviderAdapter {
    /// The API's base, e.g. `https://api.openai.com/v1` or `http://localhost:8000/v1`.
    public var baseURL: String
    /// The key sent as `Authorization: Bearer`.
    public var apiKey: APIKey
    /// Sent as `OpenAI-Organization` when set.
    public var organization: String?
    /// `.openAI`, or `.openAICompatible` for another server.
    public var provider: ProviderKind

    /// An adapter for OpenAI (`provider` `.openAI`) or a compatible server (`.openAICompatible`).
    public init(baseURL: String = "https://api.openai.com/v1", apiKey: APIKey, organization: String? = nil,
                provider: ProviderKind = .openAI) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.organization = organization
        self.provider = provider
    }

    public func request(_ operation: ProviderOperation, body: [UInt8], model: String) throws(HeadroomError) -> HTTPRequestData {
        try Self.refuse(operation, .messages)
        var headers = [HTTPField("Authorization", "Bearer \(apiKey.value)"), HTTPField("Content-Type", "application/json")]
        if let organization { headers.append(HTTPField("OpenAI-Organization", organization)) }
        return HTTPRequestData(method: "POST", url: "\(baseURL)/\(operation.rawValue)", headers: headers,
                               body: try JSONObjectEdit.setting("model", to: .string(model), in: body))
    }
}

/// Azure OpenAI: `POST {endpoint}/openai/deployments/{deployment}/chat/completions?api-version=...`
/// (or the newer `{endpoint}/openai/v1/chat/completions`, the deployment in the body's
/// `model`), with an `api-key` header. Models map to deployment names.
///
/// Azure charges a request its prompt plus `max_tokens` when it arrives (``ChargeRule/azure``).
public struct AzureOpenAIAdapter: ProviderAdapter {
    /// The two URL layouts Azure OpenAI serves.
    public enum Route: String, Hashable, Sendable, Codable {
        /// `/openai/deployments/{deployment}/...?api-version=...`
        case deployments
        /// `/openai/v1/...`, the deployment named in the body.
        case v1
    }

    /// The resource's endpoint, e.g. `https://my-resource.openai.azure.com`.
    public var endpoint: String
    /// The key sent as `api-key`.
    public var apiKey: APIKey
    /// The `api-version` of the deployments route.
    public var apiVersion: String
    /// Deployment names by model; a model not listed is taken as its own deployment's name.
    public var deployments: [String: String]
    /// Which URL layout to use.
    public var route: Route

    /// Creates an adapter for one Azure OpenAI resource.
    public init(endpoint: String, apiKey: APIKey, apiVersion: String = "2024-10-21", deployments: [String: String] = [:],
                route: Route = .deployments) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.deployments = deployments
        self.route = route
    }

    public func request(_ operation: ProviderOperation, body: [UInt8], model: String) throws(HeadroomError) -> HTTPRequestData {
        try Self.refuse(operation, .messages)
        let deployment = deployments[model] ?? model
        guard !deployment.isEmpty else {
            throw HeadroomError(.invalidJob, "The request names no model, and an Azure OpenAI deployment is chosen by it: give \"model\".")
        }
        let headers = [HTTPField("api-key", apiKey.value), HTTPField("Content-Type", "application/json")]
        switch route {
        case .deployments:
            guard let name = deployment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])),
                  let version = apiVersion.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) else {
                throw HeadroomError(.invalidConfiguration, "Azure deployment '\(deployment)' or api-version '\(apiVersion)' cannot be put in a URL.")
            }
            return HTTPRequestData(method: "POST", url: "\(endpoint)/openai/deployments/\(name)/\(operation.rawValue)?api-version=\(version)",
                                   headers: headers, body: body)
        case .v1:
            return HTTPRequestData(method: "POST", url: "\(endpoint)/openai/v1/\(operation.rawValue)", headers: headers,
                                   body: try JSONObjectEdit.setting("model", to: .string(deployment), in: body))
        }
    }

    /// OpenAI's headers, but Azure's budgets come back all at once at a window's reset.
    public func rateLimits(in headers: [String: String], receivedAt: Date) -> RateLimitHeaders {
        RateLimitHeaders(headers, refill: .atReset, receivedAt: receivedAt)
    }
}

extension ProviderAdapter {
    /// Refuses `operation` when it is `unsupported`: a request in another provider's format.
    static func refuse(_ operation: ProviderOperation, _ unsupported: ProviderOperation) throws(HeadroomError) {
        guard operation != unsupported else {
            throw HeadroomError(.invalidJob, "This deployment does not serve /\(operation.rawValue); send the request in its provider's format.")
        }
    }
}
