import HeadroomCore
import Testing
@testable import HeadroomSimulator

/// Per-tenant figures in a simulation's report.
@Suite("Tenant reports")
struct TenantReportTests {
    @Test("Max-min fair shares: none more than it asked, the rest split by weight", arguments: [
        (100.0, [10.0, 100, 100], [1.0, 1, 1], [10.0, 45, 45]),
        (100.0, [10.0, 100, 100], [1.0, 2, 1], [10.0, 60, 30]),
        (300.0, [10.0, 100, 100], [1.0, 1, 1], [10.0, 100, 100]),
        (90.0, [0.0, 100, 100], [1.0, 1, 1], [0.0, 45, 45]),
    ])
    func maxMin(capacity: Double, demands: [Double], weights: [Double], expected: [Double]) {
        let shares = MetricsCollector.maxMinShares(of: capacity, demands: demands, weights: weights)
        #expect(zip(shares, expected).allSatisfy { abs($0 - $1) < 1e-9 })
    }

    @Test("Each tenant's requests, shares and entitlements are reported, with Jain's index of what they were served against their fair shares")
    func reportsTenants() throws {
        var endpoint = EndpointModel.azure(tokensPerMinute: 60_000)
        endpoint.latency.jitter = 0
        var simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: endpoint)], seed: 1)
        simulation.tenantWeights = ["x": 3]
        let requests = (0 ..< 40).map { n in
            SimulatedRequest(arrival: .seconds(Double(n)), promptTokens: 400, maxTokens: 100, outputTokens: 100, tenant: n % 4 == 0 ? "y" : "x")
        }
        var workload = ListWorkload(requests: requests)
        let report = try simulation.run(&workload, strategy: .headroom())
        let tenants = try #require(report.tenants)
        #expect(tenants.map(\.name) == ["y", "x"])
        #expect(tenants.map(\.offered) == [10, 30] && tenants.map(\.served) == [10, 30])
        #expect(tenants.map(\.entitlement) == [0.25, 0.75] && tenants.map(\.share) == [0.25, 0.75])
        #expect(report.fairness == 1)
        #expect(tenants[0].queueWait.count == 10 && tenants[1].latency.count == 30)
        // Over time, bucket by bucket: every served token once, and the page charts each tenant's share.
        #expect(tenants.map { $0.servedTimeline.reduce(0, +) } == tenants.map(\.servedTokens))
        let page = ScenarioReport(scenario: "tenants", seed: 1, runs: [report]).html()
        #expect(page.contains("<title>y share</title>") && page.contains("<title>x entitlement</title>"))
    }

    @Test("A tenant that has spent its budget is refused at arrival until the day ends; the others are served")
    func budgetsRefuse() throws {
        var simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: .azure(tokensPerMinute: 600_000))], seed: 1)
        // 2,000 tokens a day: four requests of 500, each served before the next arrives.
        simulation.budgets = ["x": [Budget(period: .day, amount: .tokens(2_000))]]
        var requests = (0 ..< 10).map { n in
            SimulatedRequest(arrival: .seconds(Double(n * 60)), promptTokens: 400, maxTokens: 100, outputTokens: 100, tenant: n % 2 == 0 ? "x" : "y")
        }
        // The next day, x's budget is whole again.
        requests.append(SimulatedRequest(arrival: .seconds(86_400), promptTokens: 400, maxTokens: 100, outputTokens: 100, tenant: "x"))
        var workload = ListWorkload(requests: requests)
        let report = try simulation.run(&workload, strategy: .headroom())
        let tenants = try #require(report.tenants)
        #expect(tenants.map(\.name) == ["x", "y"])
        #expect(tenants.map(\.offered) == [6, 5] && tenants.map(\.served) == [5, 5] && tenants.map(\.refused) == [1, 0])
        #expect(report.requests.failed == ["budgetExceeded": 1] && report.requests.offered == 11)
    }

    @Test("Same seed, same report: a fair queue with a reserve over a flooding tenant and three light ones, twice")
    func repeatable() throws {
        func run() throws -> SimulationReport {
            let simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: .azure(tokensPerMinute: 120_000))], seed: 4)
            var configuration = SchedulerConfiguration()
            configuration.tenantReserve = 0.05
            let tenants = Array(repeating: "heavy", count: 10) + ["l1", "l2", "l3"]
            var workload = try TransformedWorkload(SyntheticWorkload(count: 1_300, requestsPerSecond: 2.5, seed: 4), transform: WorkloadTransform(tenants: tenants))
            return try simulation.run(&workload, strategy: .headroom(HeadroomSettings(queue: .named("fair"), configuration: configuration)))
        }
        let first = try run()
        #expect(try run() == first)
        #expect(first.tenants?.count == 4 && first.requests.succeeded == 1_300)
    }

    @Test("A workload without tenants reports none")
    func noTenants() throws {
        var simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: .azure(tokensPerMinute: 60_000))], seed: 1)
        simulation.tenantWeights = ["x": 2]
        var workload = ListWorkload(requests: [SimulatedRequest(arrival: .zero, promptTokens: 10, maxTokens: 10, outputTokens: 10)])
        let report = try simulation.run(&workload, strategy: .headroom())
        #expect(report.tenants == nil && report.fairness == nil)
    }
}
