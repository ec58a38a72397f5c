/// What a model's tokens cost, and what batching takes off: the figures that turn usage into money
/// in reports, `/stats` and budgets.
///
/// ```swift
/// let prices = PriceTable(["gpt-4o-mini": Price(inputPerMillion: 0.15, outputPerMillion: 0.60)])
/// prices.cost(of: Usage(promptTokens: 1_000, completionTokens: 200), model: "gpt-4o-mini", batch: true) // 0.000135
/// ```
public struct PriceTable: Hashable, Sendable {
    /// Prices by model name.
    public var prices: [String: Price]

    /// A table of `prices` by model name.
    public init(_ prices: [String: Price] = [:]) {
        self.prices = prices
    }

    /// What `usage` of `model` costs, in the prices' currency, batched or not; `nil` for a model
    /// the table does not price.
    public func cost(of usage: Usage, model: String, batch: Bool) -> Double? {
        guard let price = prices[model] else { return nil }
        let prompt = max(0, usage.promptTokens)
        let cached = min(prompt, max(0, usage.cachedPromptTokens))
        let full = (Double(prompt - cached) * price.inputPerMillion + Double(cached) * (price.cachedInputPerMillion ?? price.inputPerMillion)
            + Double(max(0, usage.completionTokens)) * price.outputPerMillion) / 1_000_000
        return batch ? full * (1 - price.batchDiscount) : full
    }
}

/// One model's prices.
public struct Price: Hashable, Sendable {
    /// The price of a million input tokens.
    public var inputPerMillion: Double
    /// The price of a million output tokens.
    public var outputPerMillion: Double
    /// The share batching takes off (0.5 on OpenAI and Azure OpenAI).
    public var batchDiscount: Double
    /// The price of a million input tokens read from the provider's prompt cache (`nil`: the input price).
    public var cachedInputPerMillion: Double?

    /// Creates a price; batching takes half off, and cached input costs what input does, unless told otherwise.
    public init(inputPerMillion: Double, outputPerMillion: Double, batchDiscount: Double = 0.5, cachedInputPerMillion: Double? = nil) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.batchDiscount = batchDiscount
        self.cachedInputPerMillion = cachedInputPerMillion
    }
}
