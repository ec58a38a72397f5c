import Foundation
import HeadroomCore

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

    /// Why the model cannot be played, or `nil`.
    public func validationProblem() -> String? {
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
