import Foundation
import HeadroomCore

extension Scenario {
    /// Reads a scenario from a JSON file (see `Docs/scenario.md`). A relative
    /// trace path is taken from the scenario file's folder.
    ///
    /// - Throws: ``HeadroomError/Kind/invalidScenario`` naming the file, the
    ///   field and what is wrong.
    public static func load(path: String) throws(HeadroomError) -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HeadroomError(.invalidScenario, "Cannot read the scenario file '\(path)'. Check the path.")
        }
        let file: ScenarioFile
        do {
            file = try JSONDecoder().decode(ScenarioFile.self, from: data)
        } catch let error as DecodingError {
            throw HeadroomError(.invalidScenario, "\(path): \(syntaxProblem(in: data) ?? error.problem)")
        } catch {
            throw HeadroomError(.invalidScenario, "\(path): \(error)")
        }
        if let root = try? JSONSerialization.jsonObject(with: data), let field = unknownField(in: root, decodedAs: file, at: "") {
            throw HeadroomError(.invalidScenario, "\(path): unknown field \"\(field)\"; check its spelling against Docs/scenario.md.")
        }
        let folder = (path as NSString).deletingLastPathComponent
        do {
            return try file.scenario(relativeTo: folder)
        } catch {
            throw HeadroomError(.invalidScenario, "\(path): \(error.message)")
        }
    }

    /// The path of the first member of the JSON `value` that the decoded `decoded`
    /// has no field for, or `nil`: a misspelt field must not be silently ignored.
    /// (Walks the JSON and the decoded value together, so the fields are listed nowhere twice.)
    static func unknownField(in value: Any, decodedAs decoded: Any, at path: String) -> String? {
        var mirror = Mirror(reflecting: decoded)
        while mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            mirror = Mirror(reflecting: wrapped)
        }
        switch value {
        case let object as [String: Any] where mirror.displayStyle == .struct:
            let fields = Dictionary(mirror.children.compactMap { child in child.label.map { ($0, child.value) } }, uniquingKeysWith: { a, _ in a })
            for (name, member) in object.sorted(by: { $0.key < $1.key }) {
                let place = path.isEmpty ? name : "\(path).\(name)"
                guard let field = fields[name] else { return place }
                if let found = unknownField(in: member, decodedAs: field, at: place) { return found }
            }
        case let array as [Any] where mirror.displayStyle == .collection:
            for (index, (element, decodedElement)) in zip(array, mirror.children.map(\.value)).enumerated() {
                if let found = unknownField(in: element, decodedAs: decodedElement, at: "\(path)[\(index)]") { return found }
            }
        default:
            break
        }
        return nil
    }

    /// Fields that take whole numbers.
    private static let wholeNumberFields: Set = [
        "tokensPerMinute", "requestsPerMinute", "maxConcurrency", "contextWindow", "count", "seed", "maxTokens", "limit",
        "priorities", "passLimit", "maxQueueLength", "lookahead", "maxAttempts",
    ]

    /// Where the file is not JSON, or else the first whole-number field whose
    /// number it cannot hold; `nil` if neither. (Foundation's decoder says
    /// only "not valid JSON" for both, naming neither place nor field.)
    private static func syntaxProblem(in data: Data) -> String? {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            // "Invalid value around character 15.": add the line, which is what an editor shows.
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            guard detail.contains("character"), let offset = Int(String(detail.reversed().drop { !$0.isNumber }.prefix { $0.isNumber }.reversed())),
                  offset <= data.count
            else { return "the file is not valid JSON: \(detail)" }
            let line = data.prefix(offset).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            return "the file is not valid JSON at line \(line): \(detail)"
        }
        func walk(_ value: Any, at path: String, key: String) -> String? {
            switch value {
            case let object as [String: Any]:
                for (name, member) in object.sorted(by: { $0.key < $1.key }) {
                    if let found = walk(member, at: path.isEmpty ? name : "\(path).\(name)", key: name) { return found }
                }
            case let array as [Any]:
                for (index, element) in array.enumerated() {
                    if let found = walk(element, at: "\(path)[\(index)]", key: key) { return found }
                }
            case let number as NSNumber where wholeNumberFields.contains(key):
                let value = number.doubleValue
                if value != value.rounded() { return "\(path) is \(number); it must be a whole number." }
                if key == "seed", !(value >= 0 && value < 1.8e19) { return "seed is \(number); it must be from 0 to 18,446,744,073,709,551,615." }
                if !(value.magnitude < 9.2e18) { return "\(path) is \(number); that is too large for a whole number here." }
            default:
                break
            }
            return nil
        }
        return walk(root, at: "", key: "")
    }
}

/// The JSON layout of a scenario file.
struct ScenarioFile: Decodable {
    struct Deployment: Decodable {
        var id: String
        var provider: String
        var tokensPerMinute: Int
        var requestsPerMinute: Int?
        var subWindowSeconds: Double?
        var models: [String]?
        var maxConcurrency: Int?
        var contextWindow: Int?
        var weight: Double?
        var latency: Latency?
        var faults: FaultModel?
        var headers: String?
        var admission: String?
        var minuteWindow: Bool?
    }

    struct Latency: Decodable {
        var firstTokenSeconds: Double?
        var perOutputTokenSeconds: Double?
        var jitter: Double?
        var slowdownPerInFlight: Double?
        var refusalSeconds: Double?
    }

    struct Workload: Decodable {
        struct Trace: Decodable {
            var path: String
            var format: String?
        }
        struct Synthetic: Decodable {
            var count: Int
            var requestsPerSecond: Double
            var burstOnSeconds: Double?
            var burstOffSeconds: Double?
            var promptMedian: Double?
            var promptSigma: Double?
            var outputMedian: Double?
            var outputSigma: Double?
            var seed: UInt64?
        }
        var builtin: String?
        var trace: Trace?
        var synthetic: Synthetic?
        var maxTokensFactor: Double?
        var maxTokens: Int?
        var model: String?
        var timeScale: Double?
        var startSeconds: Double?
        var endSeconds: Double?
        var limit: Int?
        var priorities: [Int]?
    }

    struct Headroom: Decodable {
        var queue: String?
        var passLimit: Int?
        var agingSeconds: Double?
        var allocation: AllocationChoice?
        var targetUtilization: Double?
        var maxQueueLength: Int?
        var maxQueueWaitSeconds: Double?
        var lookahead: Int?
        var backfill: Bool?
        var maxAttempts: Int?
    }

    var name: String?
    var seed: UInt64?
    var bucketSeconds: Double?
    var deployments: [Deployment]
    var workload: Workload?
    var headroom: Headroom?
    var baselines: [String]?

    func scenario(relativeTo folder: String) throws(HeadroomError) -> Scenario {
        func fail(_ message: String) -> HeadroomError { HeadroomError(.invalidScenario, message) }
        let deployments = try self.deployments.enumerated().map { index, entry throws(HeadroomError) -> SimulatedDeployment in
            var model: EndpointModel
            switch entry.provider.lowercased() {
            case "azure", "azureopenai":
                model = .azure(tokensPerMinute: entry.tokensPerMinute, requestsPerMinute: entry.requestsPerMinute,
                               subWindowSeconds: entry.subWindowSeconds ?? 10)
            case "openai":
                model = .openAI(requestsPerMinute: entry.requestsPerMinute ?? max(1, entry.tokensPerMinute / 1_000), tokensPerMinute: entry.tokensPerMinute)
            default:
                throw fail("deployments[\(index)].provider is '\(entry.provider)'; use \"azure\" or \"openai\".")
            }
            if let latency = entry.latency {
                model.latency.firstTokenSeconds = latency.firstTokenSeconds ?? model.latency.firstTokenSeconds
                model.latency.perOutputTokenSeconds = latency.perOutputTokenSeconds ?? model.latency.perOutputTokenSeconds
                model.latency.jitter = latency.jitter ?? model.latency.jitter
                model.latency.slowdownPerInFlight = latency.slowdownPerInFlight ?? model.latency.slowdownPerInFlight
                model.latency.refusalSeconds = latency.refusalSeconds ?? model.latency.refusalSeconds
            }
            model.faults = entry.faults ?? model.faults
            if let name = entry.headers {
                guard let dialect = EndpointModel.HeaderDialect(rawValue: name) else {
                    throw fail("deployments[\(index)].headers is '\(name)'; use one of \(quoted(EndpointModel.HeaderDialect.allCases)).")
                }
                model.headers = dialect
            }
            if let name = entry.admission {
                guard let admission = EndpointModel.Admission(rawValue: name) else {
                    throw fail("deployments[\(index)].admission is '\(name)'; use one of \(quoted(EndpointModel.Admission.allCases)).")
                }
                model.admission = admission
            }
            if let minute = entry.minuteWindow {
                guard case .azure = model.limiter else {
                    throw fail("deployments[\(index)].minuteWindow applies to Azure's fixed windows only; OpenAI's buckets have none.")
                }
                model.enforcesMinute = minute
            }
            return SimulatedDeployment(id: entry.id, models: Set(entry.models ?? []), endpoint: model, maxConcurrency: entry.maxConcurrency,
                                       contextWindow: entry.contextWindow, weight: entry.weight ?? 1)
        }

        let workload = self.workload ?? Workload()
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
                                          priorities: workload.priorities)
        if let problem = transform.validationProblem() { throw fail("workload: \(problem)") }
        let sources = [workload.builtin != nil, workload.trace != nil, workload.synthetic != nil].filter { $0 }.count
        if sources > 1 { throw fail("workload: give one of \"builtin\", \"trace\" and \"synthetic\", not several.") }
        let spec: WorkloadSpec
        if let trace = workload.trace {
            let path = trace.path.hasPrefix("/") || folder.isEmpty ? trace.path : folder + "/" + trace.path
            let format: WorkloadSpec.TraceFormat
            if let name = trace.format {
                guard let given = WorkloadSpec.TraceFormat(rawValue: name) else {
                    throw fail("workload.trace.format is '\(name)'; use one of \(quoted(WorkloadSpec.TraceFormat.allCases)), or leave it out to tell by the file.")
                }
                format = given
            } else {
                format = try .guess(path: path)
            }
            spec = .trace(path: path, format: format, maxTokens: maxTokens, transform: transform)
        } else if let synthetic = workload.synthetic {
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
            var arrivals = SyntheticWorkload.Arrivals.poisson
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
            let generator = SyntheticWorkload(
                count: synthetic.count, requestsPerSecond: synthetic.requestsPerSecond, arrivals: arrivals,
                prompt: .init(median: synthetic.promptMedian ?? 1_020, sigma: synthetic.promptSigma ?? 0.9, range: 1 ... 100_000),
                output: .init(median: synthetic.outputMedian ?? 129, sigma: synthetic.outputSigma ?? 0.9, range: 1 ... 16_000),
                maxTokens: maxTokens, model: workload.model ?? "gpt-4o", seed: synthetic.seed ?? seed ?? 1)
            spec = .synthetic(generator, transform: transform)
        } else {
            if let name = workload.builtin, name != "azure-conv-10min" {
                throw fail("workload.builtin is '\(name)'; the built-in workload is \"azure-conv-10min\".")
            }
            guard case .trace(let path, let format, _, _) = try Scenario.builtIn().workload else { throw fail("no built-in workload") }
            spec = .trace(path: path, format: format, maxTokens: maxTokens, transform: transform)
        }

        var settings = HeadroomSettings()
        if let headroom {
            switch headroom.queue ?? "fifo" {
            case "fifo": settings.queue = headroom.passLimit.map { .fifoPassing($0) } ?? .fifo
            case "priority": settings.queue = .priority(agingSeconds: headroom.agingSeconds ?? 60)
            case let other: throw fail("headroom.queue is '\(other)'; use \"fifo\" or \"priority\".")
            }
            settings.allocation = headroom.allocation ?? .maxHeadroom
            var configuration = SchedulerConfiguration()
            configuration.targetUtilization = headroom.targetUtilization ?? configuration.targetUtilization
            if let length = headroom.maxQueueLength { configuration.maxQueueLength = length }
            if let wait = headroom.maxQueueWaitSeconds, !(wait > 0 && wait <= 10_000_000) {
                throw fail("headroom.maxQueueWaitSeconds is \(wait); it must be above 0 and at most 10,000,000 (about four months), or left out.")
            }
            configuration.maxQueueWait = headroom.maxQueueWaitSeconds.map { .seconds($0) }
            configuration.lookahead = headroom.lookahead ?? configuration.lookahead
            configuration.backfill = headroom.backfill ?? configuration.backfill
            configuration.retry.maxAttempts = headroom.maxAttempts ?? configuration.retry.maxAttempts
            settings.configuration = configuration
            if let problem = settings.validationProblem() { throw fail("headroom: \(problem)") }
        }
        let baselines = try (self.baselines ?? ["naiveRetry", "shuffleCooldown", "tokenBucket"]).map { name throws(HeadroomError) -> Strategy in
            switch name {
            case "naiveRetry": .naiveRetry
            case "shuffleCooldown": .shuffleCooldown
            case "tokenBucket": .tokenBucket
            default: throw fail("baselines names '\(name)'; use \"naiveRetry\", \"shuffleCooldown\" or \"tokenBucket\".")
            }
        }
        return Scenario(name: name ?? "scenario", seed: seed ?? 1, deployments: deployments, workload: spec, headroom: settings,
                        baselines: baselines, bucketSeconds: bucketSeconds ?? 10)
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
