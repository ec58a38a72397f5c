/// How to set `max_tokens` for a trace that records only what was generated.
public enum MaxTokensRule: Hashable, Sendable, Codable {
    /// The same `max_tokens` on every request (raised to the output where the output is larger).
    case fixed(Int)
    /// The output times a factor, rounded up: 1.25 leaves a quarter of headroom.
    case outputTimes(Double)

    /// The largest `max_tokens` a factor yields.
    static let largest = 1e15

    /// `max_tokens` for a request that generated `output` tokens.
    public func maxTokens(forOutput output: Int) -> Int {
        switch self {
        case .fixed(let tokens): return max(tokens, output)
        case .outputTimes(let factor):
            let scaled = Double(output) * max(1, factor)
            // Bounded: a huge factor or output (or NaN) must not overflow `Int`.
            guard scaled < Self.largest else { return Int(Self.largest) }
            let whole = Int(scaled)
            return Double(whole) < scaled ? whole + 1 : whole
        }
    }
}
