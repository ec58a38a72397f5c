import Foundation
import HeadroomCore
import HeadroomSimulator

/// `headroom sweep`: runs a scenario's Headroom strategy over a range of one
/// setting and tabulates 429 rate, goodput and p99 queue wait for each value.
enum SweepCommand {
    static let usage = """
    usage: headroom sweep --parameter NAME --values A,B,C [--config FILE] [--trace FILE] [--seed N] [--json FILE] [--html FILE]

      --parameter NAME  utilization (targetUtilization, 0-1], concurrency (a cap on every deployment),
                        allocation (maxHeadroom, weightedRandom, roundRobin, leastLoaded),
                        queue (fifo, priority, or a number: FIFO letting smaller jobs pass that often),
                        rpm or tpm (a multiplier on every deployment's limit the scheduler is told of),
                        lookahead
      --values A,B,C    the values to try, in order
      --json FILE       also write the runs as JSON, each labelled with its value
      --html FILE       also write them as one HTML page: bars of goodput, 429 rate and p99 wait for each value
    """

    static func run(_ arguments: [String]) throws -> Int32 {
        let options = try Arguments(arguments, options: ["config", "trace", "seed", "json", "html", "parameter", "values"])
        try SimulateCommand.checkOutputs(options)
        guard let parameter = options["parameter"] else { throw UsageError("--parameter is required") }
        guard let values = options["values"]?.split(separator: ",").map(String.init), !values.isEmpty else {
            throw UsageError("--values is required, e.g. --values 0.8,0.9,1")
        }
        let base = try SimulateCommand.loadScenario(options)
        let progress = ProgressBar()
        var runs: [SimulationReport] = []
        for value in values {
            var scenario = base
            scenario.baselines = []
            try apply(parameter, value, to: &scenario)
            var report = try scenario.run { _, fraction in progress.update("\(parameter) = \(value)", fraction) }[0]
            report.strategy += ", \(parameter) \(value)"
            runs.append(report)
        }
        progress.finish()
        print("Scenario: \(base.name) (seed \(base.seed)); sweeping \(parameter)\n")
        print(SimulationReport.sweep(parameter: parameter, values: values, reports: runs))
        let document = ScenarioReport(scenario: base.name + ", sweeping \(parameter)", seed: base.seed, runs: runs)
        if let path = options["json"] { try SimulateCommand.write(document.json(), to: path) }
        if let path = options["html"] { try SimulateCommand.write(Data(document.html().utf8), to: path) }
        return 0
    }

    static func apply(_ parameter: String, _ value: String, to scenario: inout Scenario) throws {
        func number() throws -> Double {
            guard let number = Double(value), number.isFinite else { throw UsageError("\(parameter) takes numbers, not '\(value)'") }
            return number
        }
        func whole() throws -> Int {
            guard let number = Int(value) else { throw UsageError("\(parameter) takes whole numbers, not '\(value)'") }
            return number
        }
        switch parameter {
        case "utilization":
            scenario.headroom.configuration.targetUtilization = try number()
            try scenario.headroom.configuration.validate()
        case "concurrency":
            let cap = try whole()
            for i in scenario.deployments.indices { scenario.deployments[i].maxConcurrency = cap }
        case "allocation":
            guard AllocationChoice.allCases.contains(AllocationChoice(rawValue: value)) else {
                throw UsageError("allocation is one of \(AllocationChoice.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scenario.headroom.allocation = AllocationChoice(rawValue: value)
        case "queue":
            switch value {
            case "fifo": scenario.headroom.queue = .fifo
            case "priority": scenario.headroom.queue = .priority(agingSeconds: 60)
            default:
                guard let times = Int(value) else {
                    throw UsageError("queue is fifo, priority or a whole number (how often smaller jobs may pass), not '\(value)'")
                }
                scenario.headroom.queue = .fifoPassing(times)
            }
        case "lookahead":
            scenario.headroom.configuration.lookahead = try whole()
            try scenario.headroom.configuration.validate()
        case "rpm", "tpm":
            let factor = try number()
            guard factor > 0 && factor <= 1_000 else { throw UsageError("\(parameter) multipliers must be above 0 and at most 1,000, not '\(value)'") }
            if parameter == "rpm" { scenario.headroom.requestLimitScale = factor } else { scenario.headroom.tokenLimitScale = factor }
        default:
            throw UsageError("unknown parameter '\(parameter)'")
        }
    }
}
