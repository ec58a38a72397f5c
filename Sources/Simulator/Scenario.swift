import Foundation
import HeadroomConfiguration
import HeadroomCore

/// Everything a simulation needs: deployments, workload, Headroom's settings,
/// the baselines to compare with, and the seed. Read from a JSON file
/// (`Docs/configuration.md` documents the format; `Examples/scenario.json` is one).
public struct Scenario: Sendable {
    /// A name for reports.
    public var name: String
    /// Fixes every random draw.
    public var seed: UInt64
    /// The deployments.
    public var deployments: [SimulatedDeployment]
    /// Where the requests come from.
    public var workload: WorkloadSpec
    /// Headroom's policies and configuration.
    public var headroom: HeadroomSettings
    /// Strategies to compare Headroom with.
    public var baselines: [Strategy]
    /// Width of the report's timeline buckets, in seconds.
    public var bucketSeconds: Double
    /// The response cache in front of every strategy, if any.
    public var cache: SimulatedCache?
    /// Headroom as several instances sharing the deployments, if any.
    public var sharing: SimulatedSharing?
    /// Whether requests that accept batch may go to a batch deployment (off: all go synchronously, to compare).
    public var batchRouting = true
    /// Tenants whose requests go to batch unless one says otherwise.
    public var batchTenants: Set<String> = []
    /// Whether a deadline that leaves a batch's turnaround sends a request to batch (``Simulation/batchByDeadline``).
    public var batchByDeadline = false
    /// The longest a request that gives a deadline takes in all (``Simulation/requestTimeout``).
    public var requestTimeout: Duration = .seconds(600)
    /// What each model costs, for the reports' cost; `nil`: nothing is costed.
    public var prices: PriceTable?
    /// Tenants' weights, for their entitlements in the reports.
    public var tenantWeights: [String: Double] = [:]
    /// Tenants' budgets (``Simulation/budgets``).
    public var budgets: [String: [Budget]] = [:]
    /// Makes the policies the settings name that are not built in.
    public var registry = Registry.standard

    /// Creates a scenario.
    public init(name: String, seed: UInt64 = 1, deployments: [SimulatedDeployment], workload: WorkloadSpec,
                headroom: HeadroomSettings = HeadroomSettings(), baselines: [Strategy] = Strategy.baselines, bucketSeconds: Double = 10) {
        self.name = name
        self.seed = seed
        self.deployments = deployments
        self.workload = workload
        self.headroom = headroom
        self.baselines = baselines
        self.bucketSeconds = bucketSeconds
    }

    /// Runs Headroom and every baseline on the same workload and seed.
    public func run(progress: (@Sendable (String, Double) -> Void)? = nil) throws(HeadroomError) -> [SimulationReport] {
        guard bucketSeconds >= 0.1 && bucketSeconds <= 86_400 else {
            throw HeadroomError(.invalidScenario, "bucketSeconds is \(bucketSeconds); it must be from 0.1 to 86,400 (a day).")
        }
        var simulation = try Simulation(deployments: deployments, seed: seed, bucket: .seconds(bucketSeconds))
        simulation.registry = registry
        simulation.cache = cache
        simulation.sharing = sharing
        simulation.batchRouting = batchRouting
        simulation.batchTenants = batchTenants
        simulation.batchByDeadline = batchByDeadline
        simulation.requestTimeout = requestTimeout
        simulation.prices = prices
        simulation.tenantWeights = tenantWeights
        simulation.budgets = budgets
        if progress != nil { simulation.expectedEnd = try workload.lastArrival() }
        var reports: [SimulationReport] = []
        for strategy in [Strategy.headroom(headroom)] + baselines {
            if let progress { simulation.progress = { progress(strategy.label, $0) } }
            // Read ahead on a second thread: parsing a trace overlaps the simulation.
            var source = PrefetchingWorkload(try workload.open())
            reports.append(try simulation.run(&source, strategy: strategy))
        }
        return reports
    }
}

/// Where a scenario's requests come from.
public enum WorkloadSpec: Sendable {
    /// A trace file, transformed.
    case trace(path: String, format: TraceFormat, maxTokens: MaxTokensRule, transform: WorkloadTransform)
    /// Generated requests.
    case synthetic(SyntheticWorkload, transform: WorkloadTransform)

    /// The trace formats.
    public enum TraceFormat: String, Sendable, Codable, CaseIterable {
        case azure, mooncake, native
    }

    /// How the source is reshaped.
    public var transform: WorkloadTransform {
        get {
            switch self {
            case .trace(_, _, _, let transform), .synthetic(_, let transform): transform
            }
        }
        set {
            switch self {
            case .trace(let path, let format, let maxTokens, _): self = .trace(path: path, format: format, maxTokens: maxTokens, transform: newValue)
            case .synthetic(let generator, _): self = .synthetic(generator, transform: newValue)
            }
        }
    }

    /// Opens the workload from its start.
    public func open() throws(HeadroomError) -> AnyWorkload {
        switch self {
        case .trace(let path, let format, let maxTokens, let transform):
            switch format {
            case .azure: return AnyWorkload(try TransformedWorkload(try AzureTraceReader(path: path, maxTokens: maxTokens), transform: transform))
            case .mooncake: return AnyWorkload(try TransformedWorkload(try JSONLTraceReader(path: path, format: .mooncake, maxTokens: maxTokens), transform: transform))
            case .native: return AnyWorkload(try TransformedWorkload(try JSONLTraceReader(path: path, format: .native, maxTokens: maxTokens), transform: transform))
            }
        case .synthetic(let generator, let transform):
            return AnyWorkload(try TransformedWorkload(generator, transform: transform))
        }
    }

    /// The last arrival, read ahead for the progress bar (`nil` for a long trace not worth a second pass).
    func lastArrival() throws(HeadroomError) -> Instant? {
        var source = try open()
        var last: Instant?
        var count = 0
        while let request = try source.next() {
            last = request.arrival
            count += 1
            if count > 2_000_000 { return nil }
        }
        return last
    }
}

/// A workload of any type.
public struct AnyWorkload: WorkloadSource {
    private var source: any WorkloadSource

    /// Wraps `source`.
    public init(_ source: some WorkloadSource) {
        self.source = source
    }

    public mutating func next() throws(HeadroomError) -> SimulatedRequest? {
        try source.next()
    }

    public mutating func next(into request: inout SimulatedRequest) throws(HeadroomError) -> Bool {
        try source.next(into: &request)
    }
}

extension Scenario {
    /// The built-in scenario: the first ten minutes of the Azure 2023
    /// conversation trace (2,867 requests, `max_tokens` = 1.25 x the output)
    /// against three Azure deployments with 350,000 tokens a minute in all,
    /// about 15 % less than the trace offers.
    public static func builtIn() throws(HeadroomError) -> Scenario {
        guard let path = Bundle.module.path(forResource: "azure2023_conv_first10min", ofType: "csv", inDirectory: "Resources") else {
            throw HeadroomError(.invalidScenario, "The built-in trace slice is missing from the package's resources; reinstall Headroom.")
        }
        func azure(_ id: String, _ tpm: Int) -> SimulatedDeployment {
            SimulatedDeployment(id: id, models: ["gpt-4o"], endpoint: .azure(tokensPerMinute: tpm), contextWindow: 128_000)
        }
        return Scenario(
            name: "Azure 2023 conversation trace, first 10 minutes, against 3 Azure deployments (350,000 tokens/min in all)",
            seed: 1,
            deployments: [azure("eastus", 150_000), azure("swedencentral", 120_000), azure("westus3", 80_000)],
            workload: .trace(path: path, format: .azure, maxTokens: .outputTimes(1.25), transform: WorkloadTransform())
        )
    }
}
