import HeadroomCore

/// One model's prices in a configuration's `prices` list.
///
/// ```json
/// "prices": [{"model": "gpt-4o-mini", "inputPerMillion": 0.15, "cachedInputPerMillion": 0.075, "outputPerMillion": 0.60, "batchDiscount": 0.5}]
/// ```
public struct PriceSettings: Hashable, Sendable, Codable {
    /// The model, as clients name it.
    public var model: String
    /// The price of a million input tokens.
    public var inputPerMillion: Double
    /// The price of a million output tokens.
    public var outputPerMillion: Double
    /// The share batching takes off (default 0.5).
    public var batchDiscount: Double?
    /// The price of a million input tokens the provider read from its prompt cache (default: `inputPerMillion`).
    public var cachedInputPerMillion: Double?

    /// Creates an entry.
    public init(model: String, inputPerMillion: Double, outputPerMillion: Double, batchDiscount: Double? = nil) {
        self.model = model
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.batchDiscount = batchDiscount
    }
}

extension [PriceSettings] {
    /// The table these entries make.
    ///
    /// - Throws: ``HeadroomCore/HeadroomError/Kind/invalidConfiguration`` for a price out of range or a model priced twice.
    public func table() throws(HeadroomError) -> PriceTable {
        var table = PriceTable()
        for (index, entry) in enumerated() {
            func fail(_ problem: String) -> HeadroomError { HeadroomError(.invalidConfiguration, "prices[\(index)]: \(problem)") }
            if entry.model.isEmpty { throw fail("the model is empty.") }
            for (name, value) in [("inputPerMillion", entry.inputPerMillion), ("outputPerMillion", entry.outputPerMillion),
                                  ("cachedInputPerMillion", entry.cachedInputPerMillion ?? 0)]
            where !(value >= 0 && value <= 1_000_000) {
                throw fail("\(name) is \(value); it must be from 0 to 1,000,000.")
            }
            let discount = entry.batchDiscount ?? 0.5
            guard discount >= 0 && discount <= 1 else { throw fail("batchDiscount is \(discount); it must be from 0 to 1.") }
            guard table.prices[entry.model] == nil else { throw fail("'\(entry.model)' is priced twice.") }
            table.prices[entry.model] = Price(inputPerMillion: entry.inputPerMillion, outputPerMillion: entry.outputPerMillion, batchDiscount: discount,
                                              cachedInputPerMillion: entry.cachedInputPerMillion)
        }
        return table
    }
}
