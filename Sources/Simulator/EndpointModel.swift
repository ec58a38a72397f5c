import Foundation
import HeadroomConfiguration
import HeadroomCore

/// How a mock deployment behaves: its provider's rate limiter, its latency
/// and its faults. The scenario file describes one per deployment.
///
/// ```swift
/// let east = EndpointModel.azure(tokensPerMinute: 120_000)              // rpm 720, 10 s windows
/// let key = EndpointModel.openAI(requestsPerMinute: 500, tokensPerMinute: 200_000)
/// ```
public struct EndpointModel: Hashable, Sendable, Codable {
    /// How the provider counts and refuses.
    public enum Limiter: Hashable, Sendable, Codable {
        /// Azure OpenAI: each request is charged prompt + `max_tokens` when it
        /// arrives, counted in fixed windows of a minute and of `subWindowSeconds`
        /// (each with its share of the limits); a 429 says when the window ends.
        case azure(subWindowSeconds: Double)
        /// Anthropic: buckets of requests, input tokens and output tokens that refill
        /// continuously; a request takes its prompt from the input bucket and its
        /// `max_tokens` from the output bucket, and what it did not generate is given
        /// back when it answers.
        case anthropic(outputTokensPerMinute: Int)
        /// OpenAI: buckets that refill continuously at the per-minute rate; a
        /// request is charged the larger of `max_tokens` and its characters / 4.
        case openAI
    }

    /// What the rate-limit headers of a deployment's answers say. Providers,
    /// their APIs and OpenAI-compatible servers each say something different
    /// (or nothing); the scheduler must hold against every one.
    public enum HeaderDialect: String, Hashable, Sendable, Codable, CaseIterable {
        /// `x-ratelimit-remaining-requests` and `-tokens`: what is left of the minute, with no reset
        /// (Azure OpenAI's standard deployments; the default for Azure).
        case minuteRemainder
        /// What is left of the current sub-window (the 10 s one on Azure), with no reset: what
        /// some Azure-like servers send. On OpenAI's buckets, the same as `minuteRemainder`.
        case windowRemainder
        /// Limit, remaining and reset (as a Go duration) for requests and tokens (OpenAI; the default for OpenAI).
        case durations
        /// No rate-limit headers at all (many OpenAI-compatible servers).
        case none
        /// `-1` requests and `0` tokens remaining on every answer, and 429s with no retry-after
        /// (seen from Azure's Responses API).
        case unknown
        /// The headers of the answer before: they lag a request behind.
        case lagging
    }

    /// When a fixed window lets a request in (the configuration's `admission`).
    public typealias Admission = DeploymentSettings.Admission

    /// The rate limiter.
    public var limiter: Limiter
    /// What the answers' rate-limit headers say; by default, what the provider sends.
    public var headers: HeaderDialect
    /// When Azure's fixed windows admit a request (OpenAI's buckets always need the whole charge).
    public var admission = Admission.withinLimits
    /// Whether Azure's limiter counts the minute as well as the sub-window; `false`
    /// counts only sub-windows, each with its share of the per-minute limits.
    public var enforcesMinute = true
    /// Requests a minute.
    public var requestsPerMinute: Int
    /// Tokens a minute.
    public var tokensPerMinute: Int
    /// Response times.
    public var latency = LatencyModel()
    /// Errors, time-outs, outages and traffic from other clients.
    public var faults = FaultModel()

    /// Creates a model.
    public init(limiter: Limiter, requestsPerMinute: Int, tokensPerMinute: Int,
                latency: LatencyModel = LatencyModel(), faults: FaultModel = FaultModel(), headers: HeaderDialect? = nil) {
        self.limiter = limiter
        if case .azure = limiter { self.headers = headers ?? .minuteRemainder } else { self.headers = headers ?? .durations }
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.latency = latency
        self.faults = faults
    }

    /// An Azure OpenAI deployment; requests a minute default to Azure's 6 per 1,000 tokens a minute.
    public static func azure(tokensPerMinute: Int, requestsPerMinute: Int? = nil, subWindowSeconds: Double = 10) -> EndpointModel {
        EndpointModel(limiter: .azure(subWindowSeconds: subWindowSeconds),
                      requestsPerMinute: requestsPerMinute ?? max(1, tokensPerMinute * 6 / 1_000), tokensPerMinute: tokensPerMinute)
    }

    /// An OpenAI key's limits for one model.
    public static func openAI(requestsPerMinute: Int, tokensPerMinute: Int) -> EndpointModel {
        EndpointModel(limiter: .openAI, requestsPerMinute: requestsPerMinute, tokensPerMinute: tokensPerMinute)
    }

    /// An Anthropic key's limits for one model: requests, input tokens and output tokens a minute.
    public static func anthropic(requestsPerMinute: Int, inputTokensPerMinute: Int, outputTokensPerMinute: Int) -> EndpointModel {
        EndpointModel(limiter: .anthropic(outputTokensPerMinute: outputTokensPerMinute), requestsPerMinute: requestsPerMinute,
                      tokensPerMinute: inputTokensPerMinute)
    }

    /// The provider family the scheduler should assume for this endpoint.
    public var provider: ProviderKind {
        switch limiter {
        case .azure: .azureOpenAI
        case .openAI: .openAI
        case .anthropic: .anthropic
        }
    }

    /// Output tokens a minute, where the provider limits them apart (Anthropic).
    public var outputTokensPerMinute: Int? {
        if case .anthropic(let output) = limiter { return output }
        return nil
    }

    /// Decodes, taking the defaults for what the JSON leaves out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(limiter: try container.decode(Limiter.self, forKey: .limiter),
                  requestsPerMinute: try container.decode(Int.self, forKey: .requestsPerMinute),
                  tokensPerMinute: try container.decode(Int.self, forKey: .tokensPerMinute),
                  latency: try container.decodeIfPresent(LatencyModel.self, forKey: .latency) ?? LatencyModel(),
                  faults: try container.decodeIfPresent(FaultModel.self, forKey: .faults) ?? FaultModel(),
                  headers: try container.decodeIfPresent(HeaderDialect.self, forKey: .headers))
        admission = try container.decodeIfPresent(Admission.self, forKey: .admission) ?? .withinLimits
        enforcesMinute = try container.decodeIfPresent(Bool.self, forKey: .enforcesMinute) ?? true
    }

    /// What the provider charges `request` against the token limit.
    public func charge(for request: SimulatedRequest) -> Int {
        charge(promptTokens: request.promptTokens, maxTokens: request.maxTokens)
    }

    /// What the provider charges a request of these sizes against the token limit.
    public func charge(promptTokens: Int, maxTokens: Int) -> Int {
        switch limiter {
        case .azure: promptTokens + maxTokens
        case .openAI: max(maxTokens, promptTokens)
        case .anthropic: promptTokens
        }
    }

    /// Why the model cannot be used, or `nil`.
    func validationProblem() -> String? {
        for (name, quota) in [("requestsPerMinute", requestsPerMinute), ("tokensPerMinute", tokensPerMinute)]
        where !(quota >= 1 && quota <= Deployment.largestQuota) {
            return "\(name) is \(quota); it must be from 1 to 1,000,000,000,000."
        }
        if let output = outputTokensPerMinute, !(output >= 1 && output <= Deployment.largestQuota) {
            return "outputTokensPerMinute is \(output); it must be from 1 to 1,000,000,000,000."
        }
        if case .azure(let seconds) = limiter, !(seconds >= 0.001 && seconds <= 60) {
            return "the Azure sub-window is \(seconds) s; it must be from 0.001 to 60 seconds (Azure uses 1 or 10)."
        }
        return latency.validationProblem() ?? faults.validationProblem()
    }
}
