import Foundation
import HeadroomCore
import Testing
@testable import HeadroomSimulator

@Suite("Ziggurat sampling")
struct ZigguratTests {
    /// The largest gap between the empirical distribution of `samples` and `cdf`
    /// (the Kolmogorov-Smirnov statistic).
    func distance(_ samples: [Double], from cdf: (Double) -> Double) -> Double {
        let sorted = samples.sorted()
        let n = Double(sorted.count)
        var largest = 0.0
        for (i, x) in sorted.enumerated() {
            let f = cdf(x)
            largest = max(largest, abs(Double(i + 1) / n - f), abs(Double(i) / n - f))
        }
        return largest
    }

    func draws(_ ziggurat: Ziggurat, count: Int, seed: UInt64) -> [Double] {
        var random = SeededRandom(seed: seed)
        return (0 ..< count).map { _ in ziggurat.next(&random) }
    }

    // 400,000 draws: the 1 % critical value of the KS statistic is 1.63 / sqrt(n), about 0.0026.
    @Test("Normal draws follow the standard normal, tails included", arguments: [1, 2, 3] as [UInt64])
    func normal(seed: UInt64) {
        let samples = draws(.normal, count: 400_000, seed: seed)
        #expect(distance(samples) { 0.5 * erfc(-$0 / 2.0.squareRoot()) } < 0.0026)
        let mean = samples.reduce(0, +) / 400_000
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 400_000
        #expect(abs(mean) < 0.005 && abs(variance - 1) < 0.01, "mean \(mean), variance \(variance)")
        // Beyond the base layer's edge (3.654), drawn by the tail algorithm: 2.58e-4 of draws, about 103.
        let tail = samples.filter { abs($0) > 3.6541528853610088 }.count
        #expect((60 ... 150).contains(tail), "\(tail) draws in the tails")
        #expect(samples.filter { $0 < 0 }.count - samples.filter { $0 > 0 }.count < 2_000)
    }

    @Test("Exponential draws follow the standard exponential, tail included", arguments: [1, 2, 3] as [UInt64])
    func exponential(seed: UInt64) {
        let samples = draws(.exponential, count: 400_000, seed: seed)
        #expect(samples.allSatisfy { $0 >= 0 })
        #expect(distance(samples) { 1 - exp(-$0) } < 0.0026)
        let mean = samples.reduce(0, +) / 400_000
        #expect(abs(mean - 1) < 0.005, "mean \(mean)")
        // Beyond 7.697: e^-7.697 = 4.54e-4 of draws, about 182.
        let tail = samples.filter { $0 > 7.69711747013104972 }.count
        #expect((120 ... 250).contains(tail), "\(tail) draws in the tail")
    }

    @Test("The same seed gives the same draws")
    func repeatable() {
        #expect(draws(.normal, count: 1_000, seed: 9) == draws(.normal, count: 1_000, seed: 9))
        #expect(draws(.normal, count: 1_000, seed: 9) != draws(.normal, count: 1_000, seed: 10))
    }
}
