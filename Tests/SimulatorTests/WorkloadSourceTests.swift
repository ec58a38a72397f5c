import HeadroomCore
import Testing
@testable import HeadroomSimulator

/// Reads `workload` the way the simulator does: each request over the one before.
func readAllInPlace<W: WorkloadSource>(_ workload: inout W) throws(HeadroomError) -> [SimulatedRequest] {
    var requests: [SimulatedRequest] = []
    var request = SimulatedRequest(arrival: .zero, promptTokens: 0, maxTokens: 0, outputTokens: 0, model: "left over", tenant: "left over")
    while try workload.next(into: &request) { requests.append(request) }
    return requests
}

@Suite("Workload sources")
struct WorkloadSourceTests {
    enum Source: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case synthetic, bursty, transformedSynthetic, transformedTrace, prefetched, anyWorkload
        var testDescription: String { rawValue }

        func make() throws -> AnyWorkload {
            let synthetic = SyntheticWorkload(count: 300, requestsPerSecond: 20, seed: 3)
            let transform = WorkloadTransform(timeScale: 2, startSeconds: 0.5, limit: 200, model: "m", priorities: [0, 2])
            switch self {
            case .synthetic: return AnyWorkload(synthetic)
            case .bursty: return AnyWorkload(SyntheticWorkload(count: 300, requestsPerSecond: 20, arrivals: .bursty(meanOn: 2, meanOff: 3), seed: 3))
            case .transformedSynthetic: return AnyWorkload(try TransformedWorkload(synthetic, transform: transform))
            case .transformedTrace:
                let reader = try AzureTraceReader(path: fixture("azure2023_code_head.csv"), maxTokens: .outputTimes(1.25))
                return AnyWorkload(try TransformedWorkload(reader, transform: WorkloadTransform(startSeconds: 0.05, limit: 30, model: "m")))
            case .prefetched: return AnyWorkload(PrefetchingWorkload(synthetic, batchSize: 64))
            case .anyWorkload: return AnyWorkload(AnyWorkload(synthetic))
            }
        }
    }

    @Test("Reading each request over the one before gives exactly the requests next() gives, strings and all", arguments: Source.allCases)
    func readingInPlaceMatchesNext(_ source: Source) throws {
        var byValue = try source.make()
        var inPlace = try source.make()
        let expected = try readAll(&byValue)
        #expect(expected.count >= 30)
        #expect(try readAllInPlace(&inPlace) == expected)
    }

    @Test("Leaving out a tenant keeps the others' requests exactly as they were, arrivals and turns alike")
    func withoutTenant() throws {
        let turns = WorkloadTransform(tenants: ["heavy", "heavy", "light"])
        var all = try TransformedWorkload(SyntheticWorkload(count: 30, requestsPerSecond: 5, seed: 9), transform: turns)
        var absent = turns
        absent.withoutTenants = ["heavy"]
        var light = try TransformedWorkload(SyntheticWorkload(count: 30, requestsPerSecond: 5, seed: 9), transform: absent)
        let expected = try readAll(&all).filter { $0.tenant == "light" }
        #expect(expected.count == 10)
        #expect(try readAll(&light) == expected)
    }
}
