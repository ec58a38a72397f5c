import Foundation
import HeadroomAdapters
import HeadroomConfiguration
import HeadroomCore
import HeadroomPolicies
import HeadroomSimulator
import Synchronization
import Testing

/// The newest job first: a queue policy that is not built in.
private struct NewestFirst: QueuePolicy {
    private var jobs: [QueuedJob] = []
    var count: Int { jobs.count }
    mutating func enqueue(_ job: QueuedJob) {
        jobs.append(job)
        jobs.sort { $0.sequence > $1.sequence }
    }
    func job(at position: Int) -> QueuedJob? { position < jobs.count ? jobs[position] : nil }
    mutating func remove(at position: Int) -> QueuedJob { jobs.remove(at: position) }
    mutating func remove(_ id: JobID) -> QueuedJob? { jobs.firstIndex { $0.id == id }.map { jobs.remove(at: $0) } }
}

/// The last candidate: an allocation policy that is not built in.
private struct LastCandidate: AllocationPolicy {
    mutating func choose(for job: QueuedJob, among candidates: DeploymentCandidates, random: inout SeededRandom) -> Int {
        candidates.count - 1
    }
}

/// What the makers were asked for, in order.
private final class Made: Sendable {
    private let names = Mutex<[String]>([])
    func append(_ name: String) { names.withLock { $0.append(name) } }
    var all: [String] { names.withLock { $0 } }
}

@Suite("Registry")
struct RegistryTests {
    /// The standard registry with the two policies above, telling `made` of each policy made.
    private static func registry(_ made: Made) throws -> Registry {
        var registry = Registry.standard
        try registry.register(queue: "newest-first") { settings in
            made.append("queue \(settings.queueName)")
            return NewestFirst()
        }
        try registry.register(allocation: "last") { settings in
            made.append("allocation \(settings.allocationName)")
            return LastCandidate()
        }
        return registry
    }

    private static let configuration = HeadroomConfiguration(
        deployments: [
            DeploymentSettings(id: "a", provider: "azure", tokensPerMinute: 1_000_000, maxConcurrency: 1),
            DeploymentSettings(id: "b", provider: "azure", tokensPerMinute: 1_000_000, maxConcurrency: 1),
        ],
        scheduler: SchedulerSettings(queue: "newest-first", allocation: "last")
    )

    @Test("A file names policies of one's own, and the scheduler uses them")
    func ownPoliciesSchedule() throws {
        let made = Made()
        var scheduler = try Self.configuration.schedulerEvents(registry: Self.registry(made))
        #expect(made.all == ["queue newest-first", "allocation last"])
        let now = Instant(nanoseconds: 0)
        func submit() -> JobID { scheduler.submit(Job(model: "gpt-4o", promptTokens: 10, maxOutputTokens: 10), now: now).id }
        // Both deployments free: the allocation takes the last candidate, then the other.
        let first = submit(), second = submit(), third = submit(), fourth = submit()
        let dispatched = scheduler.complete(first, outcome: .succeeded(Usage(promptTokens: 10, completionTokens: 5)), rateLimits: nil, now: now)
        // With both busy, third and fourth wait; the newest goes first when a slot frees.
        #expect(dispatched.contains(.dispatch(fourth, to: "b", attempt: 1)))
        #expect(!dispatched.contains { if case .dispatch(third, _, _) = $0 { true } else { false } })
        _ = second
    }

    @Test("The simulator runs the same names from the same file")
    func ownPoliciesSimulate() throws {
        let made = Made()
        var configuration = Self.configuration
        configuration.workload = WorkloadSettings()
        configuration.workload?.synthetic = .init(count: 20, requestsPerSecond: 1)
        configuration.baselines = []
        let scenario = try Scenario(configuration: configuration, registry: Self.registry(made))
        #expect(scenario.headroom.queue == .named("newest-first") && scenario.headroom.allocation.rawValue == "last")
        let reports = try scenario.run()
        #expect(reports.map(\.strategy) == ["headroom (newest-first, last)"])
        #expect(reports[0].requests.succeeded == 20)
        #expect(made.all.suffix(2) == ["queue newest-first", "allocation last"])
    }

    @Test("A name the registry does not know is refused, listing the ones it does", arguments: [
        (SchedulerSettings(queue: "lifo"), "scheduler.queue is 'lifo'; use \"fair\", \"fifo\" or \"priority\"."),
        (SchedulerSettings(allocation: "random"),
         "scheduler.allocation is 'random'; use \"leastLoaded\", \"maxHeadroom\", \"roundRobin\" or \"weightedRandom\"."),
    ])
    func unknownName(_ settings: SchedulerSettings, _ message: String) {
        var configuration = Self.configuration
        configuration.scheduler = settings
        #expect(throws: HeadroomError(.invalidConfiguration, message)) {
            _ = try configuration.schedulerEvents(registry: .standard)
        }
    }

    @Test("A provider that limits output apart needs the deployment's output limit")
    func outputLimitRequired() {
        let claude = DeploymentSettings(id: "claude", provider: "anthropic", tokensPerMinute: 30_000)
        #expect(throws: HeadroomError(.invalidConfiguration,
                                      "Deployment 'claude': provider 'anthropic' limits output apart; give \"outputTokensPerMinute\", its output-token limit.")) {
            try claude.deployment()
        }
    }

    @Test("A built-in name keeps its meaning: registering over it is refused")
    func builtInNamesStay() {
        var registry = Registry.standard
        #expect(throws: HeadroomError(.invalidConfiguration, "'fifo' is a built-in queue policy; register yours under another name.")) {
            try registry.register(queue: "fifo") { _ in NewestFirst() }
        }
        #expect(throws: HeadroomError(.invalidConfiguration, "'azure' is a built-in provider; register yours under another name.")) {
            try registry.register(provider: "azure", .openAI)
        }
    }

    @Test("A provider of one's own builds its adapter from the deployment's settings, and the scheduler sees its profile")
    func ownProvider() async throws {
        var registry = Registry.standard
        try registry.register(provider: "my-vllm", ProviderProfile(kind: .openAICompatible, charge: .actualUsage) { settings, key in
            OpenAIAdapter(baseURL: settings.baseURL ?? "http://127.0.0.1:8000/v1", apiKey: key, provider: .openAICompatible)
        })
        var settings = DeploymentSettings(id: "local", provider: "my-vllm", tokensPerMinute: 50_000, apiKeyEnvironment: "VLLM_KEY")
        settings.baseURL = "http://10.0.0.7:8000/v1"
        let deployment = try settings.deployment(registry: registry)
        #expect(deployment.provider == .openAICompatible && deployment.requestsPerMinute == 50 && deployment.windows == .perMinute)
        let adapter = try registry.provider(named: "my-vllm", for: "local").adapter(settings, APIKey("k"))
        let request = try adapter.request(.chatCompletions, body: Array(#"{"model":"m"}"#.utf8), model: "m")
        #expect(request.url == "http://10.0.0.7:8000/v1/chat/completions")
        let engine = try HeadroomEngine(configuration: HeadroomConfiguration(deployments: [settings]), registry: registry,
                                        environment: ["VLLM_KEY": "k"])
        #expect(await engine.snapshot().deployments.map(\.id) == ["local"])
        await engine.shutdown()
    }

    @Test("The fair queue counts tokens with the section's weights, and weights out of range are refused")
    func fairWeights() throws {
        var settings = SchedulerSettings(queue: "fair")
        settings.fairInputWeight = 0.5
        settings.fairOutputWeight = 4
        let queue = try #require(try Registry.standard.queue(for: settings) as? FairQueue)
        #expect(queue.inputWeight == 0.5 && queue.outputWeight == 4)
        for (input, output) in [(-1.0, 2.0), (1, 1_001), (0, 0), (.nan, 2)] {
            settings.fairInputWeight = input
            settings.fairOutputWeight = output
            #expect(throws: HeadroomError.self) { try settings.configuration() }
        }
    }
}
