import HeadroomCore
import HeadroomSimulator
import Testing

@Suite("Blocked jobs remembered or judged afresh")
struct RememberedBlockedJobsTests {
    /// One random overloaded scenario: Azure and OpenAI deployments, a header dialect, policies, settings and
    /// tenants' limits drawn from `seed`.
    private struct Case: CustomTestStringConvertible {
        let seed: UInt64
        var testDescription: String { "seed \(seed)\(indexed ? ", FIFO, backfilling found by size" : "")" }

        /// Whether the scenario is FIFO with backfilling and no tenant's limits: where the dispatch pass
        /// finds jobs to backfill in its index by size rather than by walking the queue.
        var indexed = false

        func report(remembering: Bool) throws -> SimulationReport {
            var random = SeededRandom(seed: seed)
            func below(_ bound: Int) -> Int { Int.random(in: 0 ..< bound, using: &random) }
            let dialects: [EndpointModel.HeaderDialect] = [.minuteRemainder, .windowRemainder, .none]
            let deployments = try (0 ..< 1 + below(3)).map { index throws -> SimulatedDeployment in
                let tokensPerMinute = 30_000 + 10_000 * below(4)
                var endpoint: EndpointModel
                if below(3) == 0 {
                    // OpenAI's bucket refills continuously, with its own header dialect.
                    endpoint = .openAI(requestsPerMinute: 60 + 60 * below(4), tokensPerMinute: tokensPerMinute)
                } else {
                    endpoint = .azure(tokensPerMinute: tokensPerMinute)
                    endpoint.headers = dialects[below(dialects.count)]
                    if below(3) == 0 { endpoint.admission = .crossing }
                }
                if below(3) == 0 { endpoint.faults.backgroundTokensPerMinute = 5_000 }
                // Server errors send jobs back to their places in the queue, ahead of the blocked ones.
                if indexed && below(2) == 0 { endpoint.faults.errorRate = 0.1 }
                return SimulatedDeployment(id: "d\(index)", endpoint: endpoint)
            }
            let queues: [QueueChoice] = [.fifo, .fifoPassing(2), .priority(agingSeconds: 30), .priority(agingSeconds: nil)]
            var settings = HeadroomSettings(queue: queues[below(queues.count)], allocation: AllocationChoice.allCases[below(AllocationChoice.allCases.count)])
            settings.configuration.backfill = below(2) == 0
            if indexed {
                settings.queue = .fifo
                settings.configuration.backfill = true
            }
            settings.configuration.lookahead = [4, 32, 128][below(3)]
            settings.configuration.maxQueueWait = below(2) == 0 ? .seconds(20) : nil
            settings.configuration.remembersBlockedJobs = remembering
            // Three tenants in turn, some with limits of their own that hold their jobs back.
            for tenant in ["a", "b"] where below(2) == 0 && !indexed {
                settings.configuration.tenantLimits[tenant] = TenantLimits(requestsPerMinute: [30, 60, 120][below(3)],
                                                                           tokensPerMinute: below(2) == 0 ? 60_000 : nil)
            }
            let simulation = try Simulation(deployments: deployments, seed: seed)
            var workload = try TransformedWorkload(SyntheticWorkload(count: 600, requestsPerSecond: Double(2 + below(6)), seed: seed),
                                                   transform: WorkloadTransform(tenants: ["a", "b", "c"]))
            return try simulation.run(&workload, strategy: .headroom(settings))
        }
    }

    /// Whether two instants of a report, in seconds, are the same to a microsecond: the two ways
    /// find the same instants up to the rounding of a wait computed at another moment (nanoseconds).
    private static func same(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-6 }

    private static func same(_ a: SimulationReport.Percentiles, _ b: SimulationReport.Percentiles) -> Bool {
        a.count == b.count && same(a.p50, b.p50) && same(a.p95, b.p95) && same(a.p99, b.p99) && same(a.max, b.max)
    }

    @Test("Remembering blocked jobs and their waits decides exactly as judging every one afresh",
          arguments: (1 ... 32).map { Case(seed: $0) } + (33 ... 48).map { Case(seed: $0, indexed: true) })
    private func sameDecisions(_ scenario: Case) throws {
        let remembered = try scenario.report(remembering: true), afresh = try scenario.report(remembering: false)
        // What was decided: every request's fate, every attempt, every token, bucket by bucket.
        #expect(remembered.requests == afresh.requests)
        #expect(remembered.upstream == afresh.upstream)
        #expect(remembered.deployments == afresh.deployments)
        #expect(remembered.timeline == afresh.timeline)
        #expect(remembered.capacity == afresh.capacity)
        #expect(remembered.latencyHistogram == afresh.latencyHistogram)
        // When: the same to a microsecond. (How many events the run took may differ: one way wakes a little more often.)
        #expect(Self.same(remembered.durationSeconds, afresh.durationSeconds))
        #expect(Self.same(remembered.queueWait, afresh.queueWait) && Self.same(remembered.latency, afresh.latency))
    }
}
