import Foundation
import HeadroomAdapters
import HeadroomConfiguration
import HeadroomCore
import HeadroomServerSupport
import HeadroomSimulator

// headroom-compare: one scenario, run in the simulator and live, side by side.
// The live run replays the same requests in real time through headroom-gateway
// against headroom-mock, both in this process on loopback ports. Time may be
// compressed: limits per minute x SCALE, windows, latencies and arrival gaps / SCALE.

let usage = """
    usage: headroom-compare [--dialect windowRemainder] [--overload 1.3] [--seconds 90] [--scale 1] [--max-wait 60]
                            [--repeat-share 0] [--batch-share 0] [--instances 1] [--sharing on] [--redis-outage START:LENGTH] [--processes off]
                            [--batch-failures 0] [--batch-expiries 0] [--batch-grace 600] [--deadline SECONDS] [--size 1] [--seed 1]

    Three Azure-like deployments of 30,000, 60,000 and 90,000 tokens a minute (a conformance-matrix row:
    --dialect names how their headers read), offered --overload times their capacity for --seconds, with
    time compressed --scale times; requests wait at most --max-wait seconds (before compression).
    With --repeat-share above 0, that share of requests asks again one of the last 1,000 distinct
    requests, and both runs have a response cache in front.
    With --batch-share above 0, that share of requests accepts batch, and both runs have a batch
    deployment besides (batches of a minute at the median, three at the 99th percentile, files after
    10 s, a grace period of ten minutes, before compression). --batch-failures and --batch-expiries are
    the shares of its batches that fail and expire; --batch-grace its grace period in seconds: what a
    batch does not serve goes synchronously, in both runs.
    With --instances N above 1, the live run has N gateways, the load split among them in turn,
    sharing the deployments' limits through a Redis of its own (--sharing off: each takes them
    whole); --redis-outage 30:20 stops that Redis 30 s into the run and starts it again 20 s later
    (before compression). The simulation plays the same instances sharing the same way.
    --processes on runs each live gateway as a headroom-gateway process (built beside this program)
    rather than in this one. --size K makes every deployment's limits and the load K times larger.
    --deadline gives every request that deadline (before compression; live, as x-headroom-deadline):
    one still queued then fails, one still under way is abandoned then.
    """

await runCommand("headroom-compare", usage: usage) {
    let options = try CommandOptions(CommandLine.arguments.dropFirst(),
                                     known: ["--dialect", "--overload", "--seconds", "--scale", "--max-wait", "--repeat-share", "--batch-share",
                                             "--instances", "--sharing", "--redis-outage", "--processes", "--size", "--seed", "--deadline",
                                             "--batch-failures", "--batch-expiries", "--batch-grace"])
    let dialect = options["--dialect"] ?? "windowRemainder"
    guard let row = ConformanceMatrix.Row(rawValue: dialect) else {
        throw CommandOptions.Problem(description: "--dialect is '\(dialect)'; use one of \(ConformanceMatrix.Row.allCases.map(\.rawValue).joined(separator: ", ")).")
    }
    var matrix = ConformanceMatrix()
    matrix.overload = try options.number("--overload") ?? 1.3
    matrix.seconds = try options.number("--seconds") ?? 90
    matrix.seed = UInt64(try options.integer("--seed") ?? 1)
    let scale = try options.number("--scale") ?? 1
    let maxWait = try options.number("--max-wait") ?? 60
    let repeatShare = try options.number("--repeat-share") ?? 0
    let batchShare = try options.number("--batch-share") ?? 0
    let batchFailures = try options.number("--batch-failures") ?? 0, batchExpiries = try options.number("--batch-expiries") ?? 0
    let batchGrace = try options.number("--batch-grace") ?? 600
    guard [batchShare, batchFailures, batchExpiries].allSatisfy({ $0 >= 0 && $0 <= 1 }), batchGrace >= 1 && batchGrace <= 86_400 else {
        throw CommandOptions.Problem(description: "--batch-share, --batch-failures and --batch-expiries must be from 0 to 1, --batch-grace from 1 to 86,400.")
    }
    let size = try options.number("--size") ?? 1
    guard size >= 1 && size <= 100 else { throw CommandOptions.Problem(description: "--size must be from 1 to 100.") }
    guard matrix.overload > 0 && matrix.overload <= 10, matrix.seconds > 0 && matrix.seconds <= 3_600,
          scale >= 1 && scale <= 60, maxWait > 0 && maxWait <= 3_600, repeatShare >= 0 && repeatShare <= 1 else {
        throw CommandOptions.Problem(description: "--overload must be in (0, 10], --seconds in (0, 3,600], --scale in [1, 60], --max-wait in (0, 3,600], "
            + "--repeat-share in [0, 1].")
    }
    let deadline = try options.number("--deadline").map { seconds throws(CommandOptions.Problem) in
        guard let deadline = BatchRouting.deadline(seconds: seconds / scale) else {
            throw CommandOptions.Problem(description: "--deadline must be above 0 and at most 604,800 seconds (a week).")
        }
        return deadline
    }
    var cluster = Cluster(instances: try options.integer("--instances") ?? 1)
    guard cluster.instances >= 1 && cluster.instances <= 8 else { throw CommandOptions.Problem(description: "--instances must be from 1 to 8.") }
    switch options["--sharing"] ?? "on" {
    case "on": cluster.sharing = cluster.instances > 1
    case "off": cluster.sharing = false
    case let other: throw CommandOptions.Problem(description: "--sharing is '\(other)'; use on or off.")
    }
    switch options["--processes"] ?? "off" {
    case "on": cluster.processes = true
    case "off": cluster.processes = false
    case let other: throw CommandOptions.Problem(description: "--processes is '\(other)'; use on or off.")
    }
    if let outage = options["--redis-outage"] {
        let parts = outage.split(separator: ":").compactMap { Double($0) }
        guard parts.count == 2, parts[0] >= 0, parts[1] > 0, parts[0] + parts[1] <= 3_600, cluster.sharing else {
            throw CommandOptions.Problem(description: "--redis-outage is START:LENGTH in seconds (within an hour), with --instances above 1 and sharing on.")
        }
        cluster.outage = (Duration.seconds(parts[0] / scale), Duration.seconds(parts[1] / scale))
    }
    // The same cache section for both runs (every answer at temperature 0 is repeatable).
    let cache: CacheSettings? = repeatShare > 0 ? CacheSettings() : nil
    if repeatShare > 0 { matrix.repeats = .init(share: repeatShare) }

    let deployments = row.deployments.map { $0.enlarged(by: size).compressed(by: scale) } + (batchShare > 0 ? [.batch(compressedBy: scale, grace: batchGrace, failureRate: batchFailures, expiryRate: batchExpiries)] : [])
    let overload = matrix.overload
    // The row's load is its overload times the row's capacity: K times larger deployments take K times the load.
    matrix.overload *= size
    let requests = try replay(of: row, matrix: matrix, compressedBy: scale, batchShare: batchShare, deadline: deadline)
    printLine("headroom-compare: \(requests.count) requests, \(row.rawValue) headers, \(overload)x capacity for \(Int(matrix.seconds)) s, time compressed \(scale)x"
        + (size > 1 ? ", deployments \(size)x larger" : "")
        + (cluster.instances > 1 ? "; \(cluster.instances) gateways, \(cluster.sharing ? "sharing through Redis" : "not sharing")" : "")
        + (batchShare > 0 ? "; \(requests.filter { $0.simulated.batch == true }.count) of them accept batch" : ""))

    // The simulator.
    var settings = HeadroomSettings()
    settings.configuration.maxQueueWait = .seconds(maxWait / scale)
    var workload = ListWorkload(requests: requests.map(\.simulated))
    var simulation = try Simulation(deployments: deployments, seed: matrix.seed)
    simulation.cache = try cache.map { settings throws(HeadroomError) in SimulatedCache(limits: try settings.limits()) }
    if cluster.instances > 1 {
        // The same instances, renewals and outage as the live run's.
        var sharing = SimulatedSharing(instances: cluster.instances, roundTrip: .microseconds(300))
        sharing.sharesLimits = cluster.sharing
        if let (start, length) = cluster.outage {
            sharing.outages = [start ..< start + length]
        }
        simulation.sharing = sharing
    }
    let report = try simulation.run(&workload, strategy: .headroom(settings))
    var simulated = Figures(offered: report.requests.offered, served: report.requests.succeeded, attempts: report.upstream.attempts,
                            throttled: report.upstream.throttled, servedTokens: report.deployments.reduce(0) { $0 + $1.servedTokens } + (report.cache?.tokensSaved ?? 0),
                            durationSeconds: report.durationSeconds)
    simulated.latencyPercentiles = (report.latency.p50, report.latency.p99)
    simulated.answeredByCache = report.cache.map { $0.hits + $0.coalesced } ?? 0
    simulated.pastDeadline = report.requests.failed[HeadroomError.Kind.deadlineExceeded.name] ?? 0
    simulated.efficiency = report.capacity.efficiency
    if let batch = report.batch {
        simulated.batch = (batch.statistics.answered, batch.statistics.resent, (batch.deferrableLatency.p50, batch.deferrableLatency.p99),
                           (batch.urgentLatency.p50, batch.urgentLatency.p99))
    }

    let live = try await liveRun(deployments: deployments, requests: requests, maxWaitSeconds: maxWait / scale, cache: cache, cluster: cluster,
                                 bound: (tokens: report.capacity.boundTokens, horizon: .seconds(report.capacity.horizonSeconds)), seed: matrix.seed)
    printLine(table(simulated: simulated, live: live, scale: scale))
}

/// The two runs side by side, times in uncompressed seconds, with the live run's difference from the simulation.
func table(simulated: Figures, live: Figures, scale: Double) -> String {
    func difference(_ simulated: Double, _ live: Double) -> String {
        guard simulated != 0 else { return live == 0 ? "0.0%" : "n/a" }
        return String(format: "%+.1f%%", (live - simulated) / simulated * 100)
    }
    let (simulatedLatency, liveLatency) = (simulated.percentiles, live.percentiles)
    var rows: [(String, String, String, String)] = [
        ("served", "\(simulated.served)/\(simulated.offered)", "\(live.served)/\(live.offered)", difference(Double(simulated.served), Double(live.served))),
        ("upstream 429 rate", String(format: "%.2f%%", simulated.throttleRate * 100), String(format: "%.2f%%", live.throttleRate * 100),
         String(format: "%+.2f points", (live.throttleRate - simulated.throttleRate) * 100)),
        ("goodput, tokens/min", String(format: "%.0f", simulated.goodputTokensPerMinute / scale), String(format: "%.0f", live.goodputTokensPerMinute / scale),
         difference(simulated.goodputTokensPerMinute, live.goodputTokensPerMinute)),
        ("latency p50 (wait + answer)", String(format: "%.1f s", simulatedLatency.p50 * scale), String(format: "%.1f s", liveLatency.p50 * scale),
         difference(simulatedLatency.p50, liveLatency.p50)),
        ("latency p99 (wait + answer)", String(format: "%.1f s", simulatedLatency.p99 * scale), String(format: "%.1f s", liveLatency.p99 * scale),
         difference(simulatedLatency.p99, liveLatency.p99)),
    ]
    if let efficiency = live.efficiency {
        rows.append(("share of the capacity bound", String(format: "%.2f%%", simulated.efficiency! * 100), String(format: "%.2f%%", efficiency * 100),
                     String(format: "%+.2f points", (efficiency - simulated.efficiency!) * 100)))
    }
    if simulated.pastDeadline + live.pastDeadline > 0 {
        rows.append(("failed at their deadline", "\(simulated.pastDeadline)", "\(live.pastDeadline)",
                     difference(Double(simulated.pastDeadline), Double(live.pastDeadline))))
    }
    if simulated.answeredByCache + live.answeredByCache > 0 {
        rows.append(("answered by the cache", "\(simulated.answeredByCache)", "\(live.answeredByCache)",
                     difference(Double(simulated.answeredByCache), Double(live.answeredByCache))))
        rows.append(("upstream attempts", "\(simulated.attempts)", "\(live.attempts)", difference(Double(simulated.attempts), Double(live.attempts))))
    }
    if let simulatedBatch = simulated.batch, let liveBatch = live.batch {
        rows.append(("answered from a batch", "\(simulatedBatch.answered)", "\(liveBatch.answered)",
                     difference(Double(simulatedBatch.answered), Double(liveBatch.answered))))
        rows.append(("sent back synchronously", "\(simulatedBatch.resent)", "\(liveBatch.resent)", ""))
        for (name, simulatedFigure, liveFigure) in [("deferrable latency p50", simulatedBatch.deferrable.p50, liveBatch.deferrable.p50),
                                                    ("deferrable latency p99", simulatedBatch.deferrable.p99, liveBatch.deferrable.p99),
                                                    ("urgent latency p50", simulatedBatch.urgent.p50, liveBatch.urgent.p50),
                                                    ("urgent latency p99", simulatedBatch.urgent.p99, liveBatch.urgent.p99)] {
            rows.append((name, String(format: "%.1f s", simulatedFigure * scale), String(format: "%.1f s", liveFigure * scale),
                         difference(simulatedFigure, liveFigure)))
        }
    }
    if let shared = live.shared {
        rows.append(("Redis renewals (failed), fallbacks", "", "\(shared.renewals) (\(shared.failures)), \(shared.fallbacks)", ""))
    }
    return (["| | simulated | live | live against simulated |", "|---|---:|---:|---:|"]
        + rows.map { "| \($0.0) | \($0.1) | \($0.2) | \($0.3) |" }).joined(separator: "\n")
}
