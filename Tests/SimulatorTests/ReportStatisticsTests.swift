import HeadroomCore
import Testing
@testable import HeadroomSimulator

@Suite("Report statistics")
struct ReportStatisticsTests {
    @Test("Selection puts at k what a sort would, with nothing greater before and nothing smaller after")
    func selectionMatchesSorting() {
        var random = SeededRandom(seed: 11)
        for trial in 0 ..< 200 {
            let count = 1 + Int(random.next() % 300)
            // Some trials draw from few values, so that many are equal.
            let spread = trial % 3 == 0 ? 4 : 1_000_000
            let values = (0 ..< count).map { _ in Int64(random.next() % UInt64(spread)) }
            let sorted = values.sorted()
            let k = Int(random.next() % UInt64(count))
            var selected = values
            selected.select(k, in: 0 ..< count)
            #expect(selected[k] == sorted[k])
            #expect(selected[..<k].allSatisfy { $0 <= selected[k] })
            #expect(selected[(k + 1)...].allSatisfy { $0 >= selected[k] })
            #expect(selected.sorted() == sorted)
        }
    }

    @Test("Percentiles are nearest-rank order statistics, in seconds")
    func percentilesByNearestRank() {
        // 1 ... 200 ms, shuffled.
        var random = SeededRandom(seed: 5)
        var samples = (1 ... 200).map { Int64($0) * 1_000_000 }
        for i in samples.indices.reversed() { samples.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        let percentiles = SimulationReport.Percentiles(samples)
        #expect(percentiles.count == 200)
        #expect(percentiles.p50 == 0.1)
        #expect(percentiles.p95 == 0.19)
        #expect(percentiles.p99 == 0.198)
        #expect(percentiles.max == 0.2)
        let none = SimulationReport.Percentiles([])
        #expect(none.count == 0 && none.p50 == 0 && none.max == 0)
    }
}
