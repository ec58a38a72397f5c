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

    /// Decodes, taking the defaults for what the JSON leaves out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = LatencyModel()
        firstTokenSeconds = try container.decodeIfPresent(Double.self, forKey: .firstTokenSeconds) ?? defaults.firstTokenSeconds
        perOutputTokenSeconds = try container.decodeIfPresent(Double.self, forKey: .perOutputTokenSeconds) ?? defaults.perOutputTokenSeconds
        jitter = try container.decodeIfPresent(Double.self, forKey: .jitter) ?? defaults.jitter
        slowdownPerInFlight = try container.decodeIfPresent(Double.self, forKey: .slowdownPerInFlight) ?? defaults.slowdownPerInFlight
        refusalSeconds = try container.decodeIfPresent(Double.self, forKey: .refusalSeconds) ?? defaults.refusalSeconds
    }

    /// Why the model cannot be played, or `nil`.
    public func validationProblem() -> String? {
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
