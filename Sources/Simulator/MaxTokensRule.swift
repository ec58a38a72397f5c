/// How to set `max_tokens` for a trace that records only what was generated.
public enum MaxTokensRule: Hashable, Sendable, Codable {
    /// The same `max_tokens` on every request (raised to the output where the output is larger).
    case fixed(Int)
    /// The output times a factor, rounded up: 1.25 leaves a quarter of headroom.
    case outputTimes(Double)

    /// `max_tokens` for a request that generated `output` tokens.
    public func maxTokens(forOutput output: Int) -> Int {
        switch self {
        case .fixed(let tokens): return max(tokens, output)
        case .outputTimes(let factor):
            let scaled = Double(output) * max(1, factor)
            let whole = Int(scaled)
            return Double(whole) < scaled ? whole + 1 : whole
        }
    }
}
