import Foundation
import HeadroomCore
import HeadroomSimulator

/// `headroom simulate`: runs a scenario (the built-in one by default) with
/// Headroom and each baseline, and reports.
enum SimulateCommand {
    static let usage = """
    usage: headroom simulate [--config FILE] [--trace FILE] [--seed N] [--queue NAME] [--reserve SHARE] [--batch on|off]
                             [--without-tenant NAME,...] [--json FILE] [--html FILE]

      --config FILE   a configuration (JSON, see Docs/configuration.md): a scenario, or a gateway's file;
                      default: the built-in Azure scenario
      --trace FILE    replay this trace instead of the scenario's workload (.csv: Azure 2023;
                      .jsonl: Mooncake or native, told apart by their fields)
      --seed N        the seed for latency jitter, faults and random policies
      --queue NAME    Headroom's queue policy instead of the configuration's: fifo, priority or fair
      --reserve SHARE the share of each limit a tenant over its share leaves free for the others,
                      instead of the configuration's scheduler.tenantReserve (0: none)
      --batch on|off  on (default): requests that accept batch go to the batch deployments; off: every
                      request goes synchronously, to compare cost and latency
      --without-tenant NAME,...
                      leave out these tenants' requests, the others' arrivals unchanged: what the
                      rest see when they are absent
      --json FILE     also write the reports as JSON (Docs/report-schema.md)
      --html FILE     also write a self-contained HTML report with charts
    """

    static func run(_ arguments: [String]) throws -> Int32 {
        let options = try Arguments(arguments, options: ["config", "trace", "seed", "queue", "reserve", "batch", "without-tenant", "json", "html"])
        try checkOutputs(options)
        let scenario = try loadScenario(options)
        let progress = ProgressBar()
        let reports = try scenario.run { label, fraction in progress.update(label, fraction) }
        progress.finish()
        print("Scenario: \(scenario.name) (seed \(scenario.seed))\n")
        print(SimulationReport.comparison(reports))
        print()
        for report in reports { print(report.text + "\n") }
        let document = ScenarioReport(scenario: scenario.name, seed: scenario.seed, runs: reports)
        if let path = options["json"] { try write(document.json(), to: path) }
        if let path = options["html"] { try write(Data(document.html().utf8), to: path) }
        return 0
    }

    /// The scenario the options describe.
    static func loadScenario(_ options: Arguments) throws -> Scenario {
        var scenario = try options["config"].map { path throws(HeadroomError) in try Scenario.load(path: path) } ?? Scenario.builtIn()
        if let seed = try options.integer("seed") { scenario.seed = seed }
        switch options["queue"] {
        case nil: break
        case "fifo": scenario.headroom.queue = .fifo
        case "priority": scenario.headroom.queue = .priority(agingSeconds: 60)
        case "fair": scenario.headroom.queue = .named("fair")
        case let other?: throw UsageError("--queue is '\(other)'; give fifo, priority or fair")
        }
        if let text = options["reserve"] {
            guard let reserve = Double(text), reserve >= 0, reserve < 1 else { throw UsageError("--reserve is '\(text)'; give a share from 0 to below 1, e.g. 0.05") }
            scenario.headroom.configuration.tenantReserve = reserve
        }
        switch options["batch"] {
        case nil, "on": break
        case "off": scenario.batchRouting = false
        case let other?: throw UsageError("--batch is '\(other)'; give on or off")
        }
        if let trace = options["trace"] {
            var maxTokens = MaxTokensRule.outputTimes(1.25)
            if case .trace(_, _, let rule, _) = scenario.workload { maxTokens = rule }
            scenario.workload = .trace(path: trace, format: try .guess(path: trace), maxTokens: maxTokens, transform: WorkloadTransform())
            // The title names the trace replayed, never the workload it replaces.
            scenario.name = options["config"] == nil
                ? "\(trace) against the built-in scenario's 3 Azure deployments (350,000 tokens/min in all)"
                : "\(trace) against the deployments of '\(scenario.name)'"
        }
        if let names = options["without-tenant"] {
            scenario.workload.transform.withoutTenants = Set(names.split(separator: ",").map(String.init))
        }
        return scenario
    }

    /// Fails before a run rather than after it when `--json` or `--html` names
    /// a file that cannot be written: a folder, or a file in a folder that does
    /// not exist or is not writable.
    static func checkOutputs(_ options: Arguments) throws {
        for option in ["json", "html"] {
            guard let path = options[option] else { continue }
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                throw UsageError("--\(option) '\(path)' is a folder; give a file name, e.g. \(path)/report.\(option)")
            }
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            var folderIsFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &folderIsFolder), folderIsFolder.boolValue else {
                throw UsageError("--\(option) '\(path)': the folder '\(folder)' does not exist; create it or write elsewhere")
            }
            guard FileManager.default.isWritableFile(atPath: folder) else {
                throw UsageError("--\(option) '\(path)': the folder '\(folder)' is not writable")
            }
        }
    }

    static func write(_ data: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw HeadroomError(.invalidScenario, "Cannot write '\(path)'. Check that its folder exists and is writable.")
        }
        print("wrote \(path)")
    }
}
