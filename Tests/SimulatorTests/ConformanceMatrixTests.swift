import HeadroomCore
import Testing
@testable import HeadroomSimulator

/// Every header dialect x every allocation x FIFO and priority, at 1.3x overload for ten minutes.
@Suite("Conformance matrix")
struct ConformanceMatrixTests {
    /// Rows that do not reach the bar yet, with what they do reach (see the README): other
    /// clients' traffic on a shared quota still draws 429s on requests sent after a window's start,
    /// when others have spent in it what no header shows.
    static let shortfalls: [ConformanceMatrix.Row: (efficiency: Double, throttleRate: Double)] = [
        .shared: (ConformanceMatrix.efficiencyBar, 0.03),
    ]

    @Test("Every cell reaches 97% of the capacity bound with under 1% 429s and serves every request", arguments: ConformanceMatrix.Row.allCases)
    func row(_ row: ConformanceMatrix.Row) throws {
        let cells = try ConformanceMatrix().run(rows: [row])
        let (efficiency, throttleRate) = Self.shortfalls[row] ?? (ConformanceMatrix.efficiencyBar, ConformanceMatrix.throttleBar)
        for cell in cells {
            let report = cell.report
            let label = "\(row.rawValue), \(cell.queue.label), \(cell.allocation.rawValue)"
            #expect(report.requests.succeeded == report.requests.offered, "\(label): \(report.requests.succeeded)/\(report.requests.offered) served")
            #expect(report.capacity.efficiency >= efficiency, "\(label): \(report.capacity.efficiency) of the bound")
            #expect(report.upstream.throttleRate < throttleRate, "\(label): \(report.upstream.throttleRate) 429s")
        }
        #expect(cells.allSatisfy(\.passes) == (Self.shortfalls[row] == nil))
    }
}
