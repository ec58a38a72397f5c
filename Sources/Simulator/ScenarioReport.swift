import Foundation
import HeadroomCore

/// The runs of one scenario, as written by `headroom simulate --json`.
public struct ScenarioReport: Hashable, Sendable, Codable {
    /// The scenario's name.
    public var scenario: String
    /// Its seed.
    public var seed: UInt64
    /// Headroom's run first, then each baseline's.
    public var runs: [SimulationReport]

    /// Creates a report.
    public init(scenario: String, seed: UInt64, runs: [SimulationReport]) {
        self.scenario = scenario
        self.seed = seed
        self.runs = runs
    }

    /// Stable JSON: keys sorted, indented, so equal runs give equal bytes.
    public func json() throws(HeadroomError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw HeadroomError(.invalidScenario, "The report could not be encoded as JSON: \(error).")
        }
    }
}
