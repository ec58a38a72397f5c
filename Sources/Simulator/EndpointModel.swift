import Foundation
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

    /// When a fixed window lets a request in.
    public enum Admission: String, Hashable, Sendable, Codable, CaseIterable {
        /// Only if its charge fits what is left (or the window is empty).
        case withinLimits
        /// While the window's counts are below the limits, so the request that crosses a limit still gets in
        /// (Azure's published description).
        case crossing
    }

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

    /// The provider family the scheduler should assume for this endpoint.
    public var provider: ProviderKind {
        if case .azure = limiter { return .azureOpenAI }
        return .openAI
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
        }
    }

    /// Why the model cannot be used, or `nil`.
    func validationProblem() -> String? {
        for (name, quota) in [("requestsPerMinute", requestsPerMinute), ("tokensPerMinute", tokensPerMinute)]
        where !(quota >= 1 && quota <= Deployment.largestQuota) {
            return "\(name) is \(quota); it must be from 1 to 1,000,000,000,000."
        }
        if case .azure(let seconds) = limiter, !(seconds >= 0.001 && seconds <= 60) {
            return "the Azure sub-window is \(seconds) s; it must be from 0.001 to 60 seconds (Azure uses 1 or 10)."
        }
        return latency.validationProblem() ?? faults.validationProblem()
    }
}

/// Response time: time to first token plus time per output token, spread by
/// seeded jitter, optionally slowed by the requests in flight.
public struct LatencyModel: Hashable, Sendable, Codable {
    /// Seconds to the first token.
    public var firstTokenSeconds = 0.4
    /// Seconds per generated token.
    public var perOutputTokenSeconds = 0.02
    /// Relative spread, uniform in [1 - jitter, 1 + jitter].
    public var jitter = 0.2
    /// Extra time per request already in flight, as a fraction (0.01: 1% slower per request).
    public var slowdownPerInFlight = 0.0
    /// Seconds a refusal (429, 503) takes to come back.
    public var refusalSeconds = 0.05

    /// The defaults.
    public init() {}

    func validationProblem() -> String? {
        for (name, seconds) in [("firstTokenSeconds", firstTokenSeconds), ("refusalSeconds", refusalSeconds)] where !(seconds >= 0 && seconds <= 3_600) {
            return "latency \(name) is \(seconds); it must be from 0 to 3,600 seconds."
        }
        if !(perOutputTokenSeconds >= 0 && perOutputTokenSeconds <= 60) {
            return "latency perOutputTokenSeconds is \(perOutputTokenSeconds); it must be from 0 to 60 seconds."
        }
        if !(jitter >= 0 && jitter < 1) { return "latency jitter is \(jitter); it must be in [0, 1)." }
        if !(slowdownPerInFlight >= 0 && slowdownPerInFlight <= 100) {
            return "latency slowdownPerInFlight is \(slowdownPerInFlight); it must be from 0 to 100 (a share per request in flight)."
        }
        return nil
    }
}

/// What goes wrong: server errors, time-outs, outages, and other clients
/// sharing the quota without going through Headroom.
public struct FaultModel: Hashable, Sendable, Codable {
    /// The share of accepted requests that fail with a 500 at the end.
    public var errorRate = 0.0
    /// The share of accepted requests that never answer and time out.
    public var timeoutRate = 0.0
    /// How long a client waits before it gives up on a silent request.
    public var timeoutSeconds = 60.0
    /// Periods, in seconds from the start, during which every request gets a 503.
    public var outages: [Outage] = []
    /// Tokens a minute that other clients send to the same quota.
    public var backgroundTokensPerMinute = 0.0
    /// The mean charge of one background request.
    public var backgroundRequestTokens = 1_000.0

    /// A period during which the deployment answers 503.
    public struct Outage: Hashable, Sendable, Codable {
        /// Seconds from the start.
        public var start: Double
        /// Seconds from the start.
        public var end: Double

        /// Creates an outage period.
        public init(start: Double, end: Double) {
            self.start = start
            self.end = end
        }
    }

    /// No faults.
    public init() {}

    /// Decodes, taking the defaults for what the JSON leaves out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = FaultModel()
        errorRate = try container.decodeIfPresent(Double.self, forKey: .errorRate) ?? defaults.errorRate
        timeoutRate = try container.decodeIfPresent(Double.self, forKey: .timeoutRate) ?? defaults.timeoutRate
        timeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? defaults.timeoutSeconds
        outages = try container.decodeIfPresent([Outage].self, forKey: .outages) ?? defaults.outages
        backgroundTokensPerMinute = try container.decodeIfPresent(Double.self, forKey: .backgroundTokensPerMinute) ?? defaults.backgroundTokensPerMinute
        backgroundRequestTokens = try container.decodeIfPresent(Double.self, forKey: .backgroundRequestTokens) ?? defaults.backgroundRequestTokens
    }

    /// Seconds until the next background request: Poisson arrivals at the
    /// rate that spends `backgroundTokensPerMinute` in requests of `backgroundRequestTokens`.
    public func nextBackgroundGap(_ random: inout SeededRandom) -> Double {
        let perSecond = backgroundTokensPerMinute / 60 / backgroundRequestTokens
        return -log1p(-random.nextUnit()) / perSecond
    }

    /// The charge of one background request: uniform within ±50 % of `backgroundRequestTokens`.
    public func nextBackgroundCharge(_ random: inout SeededRandom) -> Int {
        max(1, Int(backgroundRequestTokens * (0.5 + random.nextUnit())))
    }

    func validationProblem() -> String? {
        if !(errorRate >= 0 && errorRate <= 1) || !(timeoutRate >= 0 && timeoutRate <= 1) || errorRate + timeoutRate > 1 {
            return "errorRate and timeoutRate must be in [0, 1] and add up to at most 1."
        }
        if !(timeoutSeconds > 0 && timeoutSeconds <= 86_400) { return "timeoutSeconds is \(timeoutSeconds); it must be above 0 and at most 86,400 (a day)." }
        if outages.contains(where: { !($0.end > $0.start && $0.start.isFinite && $0.end.isFinite) }) { return "every outage must end after it starts." }
        if !(backgroundRequestTokens >= 1 && backgroundRequestTokens <= 1e9) {
            return "backgroundRequestTokens is \(backgroundRequestTokens); it must be from 1 to 1,000,000,000."
        }
        // Bounded so that background traffic neither floods the event queue nor waits for centuries.
        let requestsPerMinute = backgroundTokensPerMinute / backgroundRequestTokens
        if !(backgroundTokensPerMinute == 0 || (requestsPerMinute >= 0.001 && requestsPerMinute <= 1_000_000)) {
            return "background traffic is \(requestsPerMinute) requests a minute (backgroundTokensPerMinute / backgroundRequestTokens); "
                + "it must be 0 or from 0.001 to 1,000,000."
        }
        return nil
    }
}
