import Foundation
import HeadroomConfiguration
import HeadroomCore

extension Scenario {
    /// Reads a scenario from a configuration file (see `Docs/configuration.md`): a gateway's
    /// or an engine's file is a scenario too. A relative trace path is taken from the file's folder.
    ///
    /// - Throws: ``HeadroomError/Kind/invalidScenario`` naming the file, the
    ///   field and what is wrong.
    public static func load(path: String, registry: Registry = .standard) throws(HeadroomError) -> Scenario {
        do {
            return try Scenario(configuration: .load(path: path), relativeTo: (path as NSString).deletingLastPathComponent, registry: registry)
        } catch let error where error.message.hasPrefix(path) {
            throw HeadroomError(.invalidScenario, error.message)
        } catch {
            throw HeadroomError(.invalidScenario, "\(path): \(error.message)")
        }
    }

    /// The scenario a configuration describes: its deployments played by mocks of their providers,
    /// its workload (by default the built-in trace slice), its `scheduler` section with the policies
    /// `registry` names, its `cache` and `sharedState` sections, and the baselines. A relative trace path is taken from `folder`.
    public init(configuration: HeadroomConfiguration, relativeTo folder: String = "", registry: Registry = .standard) throws(HeadroomError) {
        func fail(_ message: String) -> HeadroomError { HeadroomError(.invalidScenario, message) }
        let deployments = try configuration.deployments.enumerated().map { index, entry throws(HeadroomError) -> SimulatedDeployment in
            try SimulatedDeployment(entry, index: index, registry: registry)
        }
        let spec = try WorkloadSpec(configuration.workload ?? WorkloadSettings(), seed: configuration.seed, relativeTo: folder)
        let settings = try HeadroomSettings(configuration, registry: registry)
        let baselines = try (configuration.baselines ?? ["naiveRetry", "shuffleCooldown", "tokenBucket"]).map { name throws(HeadroomError) -> Strategy in
            switch name {
            case "naiveRetry": .naiveRetry
            case "shuffleCooldown": .shuffleCooldown
            case "tokenBucket": .tokenBucket
            default: throw fail("baselines names '\(name)'; use \"naiveRetry\", \"shuffleCooldown\" or \"tokenBucket\".")
            }
        }
        self.init(name: configuration.name ?? "scenario", seed: configuration.seed ?? 1, deployments: deployments, workload: spec,
                  headroom: settings, baselines: baselines, bucketSeconds: configuration.bucketSeconds ?? 10)
        self.registry = registry
        do {
            cache = try SimulatedCache(configuration)
            sharing = try SimulatedSharing(configuration)
            prices = try configuration.prices?.table()
        } catch {
            throw fail(error.message)
        }
        batchTenants = Set((configuration.tenants ?? []).filter { $0.batch == true }.map(\.name))
        batchByDeadline = configuration.gateway?.batchByDeadline ?? false
        do {
            requestTimeout = try (configuration.engine ?? EngineSettings()).requestTimeout()
        } catch {
            throw fail(error.message)
        }
        budgets = try configuration.budgets()
        tenantWeights = Dictionary((configuration.tenants ?? []).map { ($0.name, $0.weight ?? 1) }, uniquingKeysWith: { first, _ in first })
    }
}

extension SimulatedDeployment {
    /// A mock of the deployment a configuration describes: its provider's limiter and headers,
    /// the deployment's limits, latency and faults. (OpenAI-compatible servers are played as
    /// OpenAI's buckets that send no rate-limit headers.)
    init(_ entry: DeploymentSettings, index: Int, registry: Registry) throws(HeadroomError) {
        func fail(_ message: String) -> HeadroomError { HeadroomError(.invalidScenario, message) }
        let profile: ProviderProfile
        do {
            profile = try registry.provider(named: entry.provider, for: entry.id)
        } catch {
            throw fail("deployments[\(index)].provider is '\(entry.provider)'; \(error.message.components(separatedBy: "; ").last ?? "")")
        }
        let requestsPerMinute = entry.requestsPerMinute ?? profile.requestsPerMinute(tokensPerMinute: entry.tokensPerMinute)
        var model: EndpointModel
        switch profile.kind {
        case .azureOpenAI:
            model = .azure(tokensPerMinute: entry.tokensPerMinute, requestsPerMinute: requestsPerMinute,
                           subWindowSeconds: entry.subWindowSeconds ?? 10)
        case .openAI:
            model = .openAI(requestsPerMinute: requestsPerMinute, tokensPerMinute: entry.tokensPerMinute)
        case .openAICompatible:
            model = .openAI(requestsPerMinute: requestsPerMinute, tokensPerMinute: entry.tokensPerMinute)
            model.headers = .none
        case .anthropic:
            guard let output = entry.outputTokensPerMinute else {
                throw fail("deployments[\(index)]: an Anthropic deployment needs \"outputTokensPerMinute\", its output-token limit.")
            }
            model = .anthropic(requestsPerMinute: requestsPerMinute, inputTokensPerMinute: entry.tokensPerMinute, outputTokensPerMinute: output)
        }
        model.latency = entry.latency ?? model.latency
        model.faults = entry.faults ?? model.faults
        if let name = entry.headers {
            guard let dialect = EndpointModel.HeaderDialect(rawValue: name) else {
                throw fail("deployments[\(index)].headers is '\(name)'; use one of \(quoted(EndpointModel.HeaderDialect.allCases)).")
            }
            model.headers = dialect
        }
        model.admission = entry.admission ?? .withinLimits
        if let minute = entry.minuteWindow {
            guard case .azure = model.limiter else {
                throw fail("deployments[\(index)].minuteWindow applies to Azure's fixed windows only; OpenAI's buckets have none.")
            }
            model.enforcesMinute = minute
        }
        self.init(id: entry.id, models: Set(entry.models ?? []), endpoint: model, maxConcurrency: entry.maxConcurrency,
                  contextWindow: entry.contextWindow, weight: entry.weight ?? 1)
        do {
            if let rules = try entry.batchRules() {
                _ = try entry.deployment(registry: registry)
                let settings = entry.batch ?? BatchSettings()
                let mock = BatchEndpointModel(maxEnqueuedTokens: entry.maxEnqueuedTokens ?? Deployment.largestQuota,
                                              turnaround: settings.turnaround ?? BatchEndpointModel(maxEnqueuedTokens: 1).turnaround,
                                              failureRate: settings.failureRate ?? 0, expiryRate: settings.expiryRate ?? 0)
                batch = BatchEndpoint(model: mock, rules: rules)
            }
        } catch {
            throw fail(error.message)
        }
    }
}

extension WorkloadSpec {
    /// The workload a configuration's `workload` section describes.
    init(_ workload: WorkloadSettings, seed: UInt64?, relativeTo folder: String) throws(HeadroomError) {
        func fail(_ message: String) -> HeadroomError { HeadroomError(.invalidScenario, message) }
        if let factor = workload.maxTokensFactor, !(factor >= 1 && factor <= 100) {
            throw fail("workload.maxTokensFactor is \(factor); it must be from 1 to 100.")
        }
        if let tokens = workload.maxTokens, !(tokens >= 1 && tokens <= 10_000_000) {
            throw fail("workload.maxTokens is \(tokens); it must be from 1 to 10,000,000.")
        }
        if workload.maxTokens != nil && workload.maxTokensFactor != nil {
            throw fail("workload gives both maxTokens and maxTokensFactor; give one: a fixed max_tokens, or a multiple of each request's output.")
        }
        let maxTokens: MaxTokensRule = workload.maxTokens.map { .fixed($0) } ?? .outputTimes(workload.maxTokensFactor ?? 1.25)
        let transform = WorkloadTransform(timeScale: workload.timeScale ?? 1, startSeconds: workload.startSeconds ?? 0,
                                          endSeconds: workload.endSeconds, limit: workload.limit, model: workload.model,
                                          priorities: workload.priorities, tenants: workload.tenants)
        if let problem = transform.validationProblem() { throw fail("workload: \(problem)") }
        let sources = [workload.builtin != nil, workload.trace != nil, workload.synthetic != nil].filter { $0 }.count
        if sources > 1 { throw fail("workload: give one of \"builtin\", \"trace\" and \"synthetic\", not several.") }
        if let trace = workload.trace {
            let path = trace.path.hasPrefix("/") || folder.isEmpty ? trace.path : folder + "/" + trace.path
            let format: TraceFormat
            if let name = trace.format {
                guard let given = TraceFormat(rawValue: name) else {
                    throw fail("workload.trace.format is '\(name)'; use one of \(quoted(TraceFormat.allCases)), or leave it out to tell by the file.")
                }
                format = given
            } else {
                format = try .guess(path: path)
            }
            self = .trace(path: path, format: format, maxTokens: maxTokens, transform: transform)
        } else if let synthetic = workload.synthetic {
            self = .synthetic(try SyntheticWorkload(synthetic, maxTokens: maxTokens, model: workload.model, seed: seed), transform: transform)
        } else {
            if let name = workload.builtin, name != "azure-conv-10min" {
                throw fail("workload.builtin is '\(name)'; the built-in workload is \"azure-conv-10min\".")
            }
            guard case .trace(let path, let format, _, _) = try Scenario.builtIn().workload else { throw fail("no built-in workload") }
            self = .trace(path: path, format: format, maxTokens: maxTokens, transform: transform)
        }
    }
}

extension SyntheticWorkload {
    /// The generator a configuration's `workload.synthetic` describes.
    init(_ synthetic: WorkloadSettings.Synthetic, maxTokens: MaxTokensRule, model: String?, seed: UInt64?) throws(HeadroomError) {
        func fail(_ message: String) -> HeadroomError { HeadroomError(.invalidScenario, message) }
        for (name, value) in [("promptMedian", synthetic.promptMedian), ("outputMedian", synthetic.outputMedian)] {
            if let value, !(value > 0 && value < 1e9) { throw fail("workload.synthetic.\(name) is \(value); it must be above 0 and below 1e9.") }
        }
        for (name, value) in [("promptSigma", synthetic.promptSigma), ("outputSigma", synthetic.outputSigma)] {
            if let value, !(value >= 0 && value <= 10) { throw fail("workload.synthetic.\(name) is \(value); it must be from 0 to 10.") }
        }
        if !(synthetic.count >= 0) { throw fail("workload.synthetic.count is \(synthetic.count); it must not be negative.") }
        if !(synthetic.requestsPerSecond > 0 && synthetic.requestsPerSecond <= 1_000_000) {
            throw fail("workload.synthetic.requestsPerSecond is \(synthetic.requestsPerSecond); it must be above 0 and at most 1,000,000.")
        }
        var arrivals = Arrivals.poisson
        switch (synthetic.burstOnSeconds, synthetic.burstOffSeconds) {
        case (nil, nil):
            break
        case let (on?, off?):
            for (name, value) in [("burstOnSeconds", on), ("burstOffSeconds", off)] where !(value >= 0.001 && value <= 1_000_000) {
                throw fail("workload.synthetic.\(name) is \(value); it must be from 0.001 to 1,000,000 seconds.")
            }
            arrivals = .bursty(meanOn: on, meanOff: off)
        default:
            throw fail("workload.synthetic gives only one of burstOnSeconds and burstOffSeconds; give both for bursty arrivals, or neither.")
        }
        if let share = synthetic.repeatShare, !(share >= 0 && share <= 1) {
            throw fail("workload.synthetic.repeatShare is \(share); it must be from 0 to 1.")
        }
        if let pool = synthetic.repeatPool, !(pool >= 1 && pool <= 10_000_000) {
            throw fail("workload.synthetic.repeatPool is \(pool); it must be from 1 to 10,000,000.")
        }
        let repeats = synthetic.repeatShare.map { SyntheticWorkload.Repeats(share: $0, pool: synthetic.repeatPool ?? 1_000) }
        if let share = synthetic.batchShare, !(share >= 0 && share <= 1) {
            throw fail("workload.synthetic.batchShare is \(share); it must be from 0 to 1.")
        }
        func deadline(_ seconds: Double?, _ name: String) throws(HeadroomError) -> Duration? {
            guard let seconds else { return nil }
            guard let deadline = BatchRouting.deadline(seconds: seconds) else {
                throw fail("workload.synthetic.\(name) is \(seconds); it must be above 0 and at most 604,800 (a week).")
            }
            return deadline
        }
        self.init(count: synthetic.count, requestsPerSecond: synthetic.requestsPerSecond, arrivals: arrivals,
                  prompt: .init(median: synthetic.promptMedian ?? 1_020, sigma: synthetic.promptSigma ?? 0.9, range: 1 ... 100_000),
                  output: .init(median: synthetic.outputMedian ?? 129, sigma: synthetic.outputSigma ?? 0.9, range: 1 ... 16_000),
                  maxTokens: maxTokens, model: model ?? "gpt-4o", repeats: repeats, batchShare: synthetic.batchShare ?? 0,
                  deadline: try deadline(synthetic.deadlineSeconds, "deadlineSeconds"),
                  deferrableDeadline: try deadline(synthetic.deferrableDeadlineSeconds, "deferrableDeadlineSeconds"), seed: synthetic.seed ?? seed ?? 1)
    }
}

/// Names for an error message: `"a", "b" or "c"`.
private func quoted<T: RawRepresentable>(_ cases: [T]) -> String where T.RawValue == String {
    let names = cases.map { "\"\($0.rawValue)\"" }
    return names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
}

extension WorkloadSpec.TraceFormat {
    /// The format a trace file's name suggests: `.csv` is Azure's; for `.jsonl`
    /// the first line decides (`timestamp` is Mooncake's, `arrival` the native one).
    public static func guess(path: String) throws(HeadroomError) -> WorkloadSpec.TraceFormat {
        if path.hasSuffix(".csv") { return .azure }
        let reader = try LineReader(path: path)
        guard let first = reader.nextLine() else { throw HeadroomError(.invalidTrace, "\(path): the trace is empty.") }
        if first.contains("\"timestamp\"") { return .mooncake }
        if first.contains("\"arrival\"") { return .native }
        throw HeadroomError(.invalidTrace, "\(path): cannot tell the trace format; name it with \"format\": \"azure\", \"mooncake\" or \"native\".")
    }
}
