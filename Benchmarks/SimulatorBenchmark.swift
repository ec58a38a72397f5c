#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HeadroomCore
import HeadroomSimulator

/// Replays synthetic requests (Poisson arrivals, lognormal sizes like the Azure
/// 2023 conversation trace) against 8 Azure-like deployments through Headroom's
/// scheduler, and reports simulated requests and events per second and the
/// process's peak memory.
enum SimulatorBenchmark {
    static func run(arguments: [String]) {
        let count = arguments.first.flatMap(Int.init) ?? 1_000_000
        let runCount = max(1, arguments.dropFirst().first.flatMap(Int.init) ?? 3)
        let deployments = (0 ..< 8).map { index in
            SimulatedDeployment(id: "deployment-\(index)", models: ["gpt-4o"], endpoint: .azure(tokensPerMinute: 1_000_000))
        }
        // About 90 % of the deployments' 8M tokens a minute (mean charge about 1,770 tokens).
        let rate = 68.0
        let simulation = try! Simulation(deployments: deployments, seed: 1, bucket: .seconds(60))
        // The best of three runs: on a shared machine the fastest run is the one least disturbed.
        func best<Workload: WorkloadSource>(_ simulation: Simulation = simulation, _ makeWorkload: () -> Workload) -> (report: SimulationReport, seconds: Double) {
            (0 ..< runCount).map { _ in
                var workload = makeWorkload()
                let clock = ContinuousClock()
                let start = clock.now
                let report = try! simulation.run(&workload, strategy: .headroom())
                let elapsed = clock.now - start
                return (report, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            }.min { $0.seconds < $1.seconds }!
        }
        let synthetic = { SyntheticWorkload(count: count, requestsPerSecond: rate, seed: 1) }
        let oneThread = best { synthetic() }
        let prefetched = best { PrefetchingWorkload(synthetic()) }
        // The same, three in ten asking again one of the last 1,000 distinct requests, through the response cache.
        var cached = simulation
        cached.cache = SimulatedCache(mode: .all)
        let withCache = best(cached) { SyntheticWorkload(count: count, requestsPerSecond: rate, repeats: .init(share: 0.3), seed: 1) }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMiB = Double(usage.ru_maxrss) / 1024

        print("simulator: \(count) synthetic requests at \(Int(rate))/s (virtual) against 8 Azure deployments, Headroom (fifo, maxHeadroom), best of \(runCount)")
        print("workload on       requests   events     seconds  requests/s  events/s   served   429s")
        for (label, run) in [("the same thread", oneThread), ("a second thread", prefetched), ("same, 30% cached", withCache)] {
            print([Table.pad(label, 18), Table.pad("\(count)", 11), Table.pad("\(run.report.events)", 11), Table.pad(Table.format(run.seconds, 2), 9),
                   Table.pad("\(Int(Double(count) / run.seconds))", 12), Table.pad("\(Int(Double(run.report.events) / run.seconds))", 11),
                   Table.pad("\(run.report.requests.succeeded)", 9), "\(run.report.upstream.throttled)"].joined())
        }
        print("peak memory: \(Table.format(peakMiB, 0)) MiB")
        print("SimPy reference on this machine (../shared/traces/simpy_bench.py): about 270,000 events/s, 70,000 requests/s")
        let (report, seconds) = oneThread
        print("{\"benchmark\":\"simulator\",\"requests\":\(count),\"events\":\(report.events),\"seconds\":\(Table.format(seconds, 3)),\"requestsPerSecond\":\(Int(Double(count) / seconds)),\"eventsPerSecond\":\(Int(Double(report.events) / seconds)),\"prefetchedRequestsPerSecond\":\(Int(Double(count) / prefetched.seconds)),\"cachedRequestsPerSecond\":\(Int(Double(count) / withCache.seconds)),\"cacheHitRate\":\(Table.format(withCache.report.cache?.hitRate ?? 0, 4)),\"peakMemoryMiB\":\(Int(peakMiB)),\"served\":\(report.requests.succeeded),\"throttled\":\(report.upstream.throttled)}")
    }
}
