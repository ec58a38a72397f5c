import Foundation
import HeadroomConfiguration
import HeadroomCore
import Testing
@testable import HeadroomSimulator

@Suite("Instances sharing deployments")
struct SimulatedSharingTests {
    /// The window-remainder row of the conformance matrix at 1.3x its capacity for `seconds`.
    func run(_ sharing: SimulatedSharing?, seconds: Double = 180) throws -> SimulationReport {
        var matrix = ConformanceMatrix()
        matrix.seconds = seconds
        let row = ConformanceMatrix.Row.windowRemainder
        var simulation = try Simulation(deployments: row.deployments, seed: 1)
        simulation.sharing = sharing
        var workload = matrix.workload(for: row)
        return try simulation.run(&workload, strategy: .headroom())
    }

    @Test("Three instances sharing draw no 429s; three that each take the whole overshoot")
    func sharingHoldsTheLimits() throws {
        let shared = try run(SimulatedSharing(instances: 3))
        #expect(shared.upstream.throttled == 0 && shared.requests.succeeded == shared.requests.offered)
        #expect(shared.capacity.efficiency > 0.85)
        #expect(shared.sharing == .init(instances: 3, sharesLimits: true, renewals: shared.sharing!.renewals, failures: 0, fallbacks: 0))
        var apart = SimulatedSharing(instances: 3)
        apart.sharesLimits = false
        let overshoot = try run(apart)
        #expect(overshoot.upstream.throttleRate > 0.2)
        #expect(overshoot.sharing?.renewals == 0)
    }

    @Test("Redis out of reach for longer than a lease: every instance falls back once, nothing is lost, no burst draws 429s")
    func outage() throws {
        var sharing = SimulatedSharing(instances: 3)
        sharing.outages = [.seconds(40) ..< .seconds(120)]
        let report = try run(sharing)
        let counts = try #require(report.sharing)
        #expect(counts.fallbacks == 3 && counts.failures > 100)
        #expect(report.requests.succeeded == report.requests.offered)
        #expect(report.upstream.throttleRate < 0.02)
    }

    @Test("The same seed gives the same report with instances sharing")
    func deterministic() throws {
        var sharing = SimulatedSharing(instances: 2, roundTrip: .milliseconds(5))
        sharing.outages = [.seconds(20) ..< .seconds(40)]
        #expect(try run(sharing, seconds: 60) == run(sharing, seconds: 60))
    }

    @Test("A configuration's sharedState section makes the instances, with the simulation's round trip and outages")
    func fromConfiguration() throws {
        let json = """
            {"deployments": [{"id": "a", "provider": "azure", "tokensPerMinute": 60000}],
             "sharedState": {"redis": "redis://127.0.0.1:6379", "expectedInstances": 3, "renewSeconds": 2, "leaseSeconds": 12,
                             "simulatedRoundTripSeconds": 0.004, "simulatedOutages": [{"start": 10, "end": 30}]}}
            """
        let scenario = try Scenario(configuration: .decode(Data(json.utf8)))
        #expect(scenario.sharing == SimulatedSharing(instances: 3, renewInterval: .seconds(2), lease: .seconds(12), roundTrip: .milliseconds(4),
                                                     outages: [.seconds(10) ..< .seconds(30)]))
        let bad = json.replacingOccurrences(of: "\"leaseSeconds\": 12", with: "\"leaseSeconds\": 3")
        #expect(throws: HeadroomError.self) { try Scenario(configuration: .decode(Data(bad.utf8))) }
    }
}
