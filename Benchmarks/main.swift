// headroom-bench: throughput benchmarks that print a table and, last, one JSON line.
//
//     swift run -c release headroom-bench scheduler
//     swift run -c release headroom-bench simulator [REQUESTS [RUNS]]
//     swift run -c release headroom-bench overload [QUEUE [REQUESTS]]
//     swift run -c release headroom-bench tokenizer [FILE]
//     swift run -c release headroom-bench matrix
//     swift run -c release headroom-bench cache [KEYS]

import HeadroomSimulator

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "scheduler":
    SchedulerBenchmark.run(arguments: Array(arguments.dropFirst()))
case "simulator":
    SimulatorBenchmark.run(arguments: Array(arguments.dropFirst()))
case "overload":
    OverloadBenchmark.run(arguments: Array(arguments.dropFirst()))
case "cache":
    await CacheBenchmark.run(arguments: Array(arguments.dropFirst()))
case "tokenizer":
    TokenizerBenchmark.run(arguments: Array(arguments.dropFirst()))
case "matrix":
    do {
        let names = arguments.dropFirst()
        let rows = names.compactMap(ConformanceMatrix.Row.init(rawValue:))
        guard rows.count == names.count else {
            print("error: rows are \(ConformanceMatrix.Row.allCases.map(\.rawValue).joined(separator: ", "))")
            exit(1)
        }
        let cells = try ConformanceMatrix().run(rows: rows.isEmpty ? ConformanceMatrix.Row.allCases : rows)
        print(ConformanceMatrix.table(cells))
        print("\(cells.filter(\.passes).count) of \(cells.count) cells reach 97% of the capacity bound with under 1% 429s, serving every request")
    } catch {
        print("error: \(error)")
        exit(1)
    }
default:
    print("""
    usage: headroom-bench <benchmark>

    benchmarks:
      scheduler   submit-dispatch-complete cycles per second, 8 and 100 deployments, thousands queued
      simulator   [REQUESTS [RUNS]] synthetic requests (1,000,000) against 8 mock deployments, best of RUNS (3):
                  requests/s, events/s, peak memory; then with 30% repeating, through the simulated response cache
      overload    [QUEUE [REQUESTS]] 1,000,000 requests at 1.2x the capacity, the queue at its cap of 1,000, 10,000
                  and 100,000 (or QUEUE): requests/s, served, refused, peak memory
      cache       [KEYS] keying a chat request (canonical form and SHA-256), and memory-store lookups, per second
      tokenizer   [FILE|multilingual] exact BPE and estimates: MB/s, estimate error against exact, vocabulary load time
      matrix      [ROW...] every header dialect x allocation x FIFO and priority at 1.3x overload: served, 429s, efficiency
    """)
    if let unknown = arguments.first, unknown != "--help", unknown != "-h" {
        print("error: unknown benchmark '\(unknown)'")
        exit(2)
    }
}
