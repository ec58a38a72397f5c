#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HeadroomCore
import HeadroomSimulator

/// The simulator under overload, the case Headroom exists for: synthetic requests offered at 1.2
/// times what 8 Azure-like deployments take, the queue held at its cap (1,000, 10,000 or 100,000
/// waiting jobs), the rest refused. What an event costs should not grow with the queue.
///
///     headroom-bench overload [QUEUE [REQUESTS]]   # QUEUE 0 (default): 1,000, 10,000 and 100,000 in turn
enum OverloadBenchmark {
    static func run(arguments: [String]) {
        let queues = arguments.first.flatMap(Int.init).flatMap { $0 > 0 ? [$0] : nil } ?? [1_000, 10_000, 100_000]
        let count = arguments.dropFirst().first.flatMap(Int.init) ?? 1_000_000
        let deployments = (0 ..< 8).map { index in
            SimulatedDeployment(id: "deployment-\(index)", models: ["gpt-4o"], endpoint: .azure(tokensPerMinute: 1_000_000))
        }
        // 8M tokens a minute take about 75 requests a second of the synthetic sizes (mean charge about 1,770 tokens): 1.2x is 90.
        let rate = 90.4
        let simulation = try! Simulation(deployments: deployments, seed: 1, bucket: .seconds(60))
        print("overload: \(count) synthetic requests at \(rate)/s (virtual, 1.2x the capacity) against 8 Azure deployments, Headroom (fifo, maxHeadroom)")
        print("queue cap  requests   events     seconds  requests/s  served    refused   peak MiB")
        var rows: [String] = []
        for queue in queues {
            var configuration = SchedulerConfiguration()
            configuration.maxQueueLength = queue
            var workload = SyntheticWorkload(count: count, requestsPerSecond: rate, seed: 1)
            let clock = ContinuousClock()
            let start = clock.now
            let report = try! simulation.run(&workload, strategy: .headroom(HeadroomSettings(configuration: configuration)))
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let peakMiB = Double(usage.ru_maxrss) / 1024
            let refused = report.requests.rejected
            print([Table.pad("\(queue)", 11), Table.pad("\(count)", 11), Table.pad("\(report.events)", 11), Table.pad(Table.format(seconds, 2), 9),
                   Table.pad("\(Int(Double(count) / seconds))", 12), Table.pad("\(report.requests.succeeded)", 10), Table.pad("\(refused)", 10),
                   Table.format(peakMiB, 0)].joined())
            rows.append("{\"queue\":\(queue),\"seconds\":\(Table.format(seconds, 3)),\"requestsPerSecond\":\(Int(Double(count) / seconds)),"
                        + "\"served\":\(report.requests.succeeded),\"refused\":\(refused),\"peakMemoryMiB\":\(Int(peakMiB))}")
        }
        print("(peak memory is the process's so far; run one QUEUE a process for each case's own)")
        print("{\"benchmark\":\"overload\",\"requests\":\(count),\"results\":[\(rows.joined(separator: ","))]}")
    }
}
