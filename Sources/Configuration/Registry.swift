import HeadroomCore
import HeadroomPolicies

/// Names a configuration file may use for queue policies, allocation policies and
/// providers, and what each stands for. ``standard`` holds the built-in ones;
/// register your own under other names, and every program that reads configurations
/// through this registry (the simulator, the engine, the gateway) accepts them.
///
/// ```swift
/// var registry = Registry.standard
/// try registry.register(queue: "shortest-first") { _ in ShortestFirstQueue() }
/// let engine = try HeadroomEngine(configuration: .load(path: "headroom.json"), registry: registry)
/// ```
public struct Registry: Sendable {
    /// Makes a queue policy from the configuration's `scheduler` section.
    public typealias QueueMaker = @Sendable (SchedulerSettings) throws(HeadroomError) -> any QueuePolicy
    /// Makes an allocation policy from the configuration's `scheduler` section.
    public typealias AllocationMaker = @Sendable (SchedulerSettings) throws(HeadroomError) -> any AllocationPolicy

    private var queues: [String: QueueMaker] = [:]
    private var allocations: [String: AllocationMaker] = [:]
    private var providers: [String: ProviderProfile] = [:]

    /// The built-in names: queues `fifo` (with `passLimit`), `priority` (with `agingSeconds`) and `fair`
    /// (weighted fair queueing between tenants, by their `weight`, with `fairInputWeight` and `fairOutputWeight`);
    /// allocations `maxHeadroom`, `weightedRandom`, `roundRobin` and `leastLoaded`; providers
    /// `azure`, `openai`, `openai-compatible` and `anthropic`.
    public static let standard = Registry(
        queues: [
            "fifo": { settings in FIFOQueue(smallerJobsMayPass: settings.passLimit ?? 0) },
            "priority": { settings in PriorityQueue(aging: settings.aging) },
            "fair": { settings in FairQueue(inputWeight: settings.fairInputWeight ?? 1, outputWeight: settings.fairOutputWeight ?? 2) },
        ],
        allocations: [
            "maxHeadroom": { _ in MaxHeadroom() }, "weightedRandom": { _ in WeightedRandom() },
            "roundRobin": { _ in RoundRobin() }, "leastLoaded": { _ in LeastLoaded() },
        ],
        providers: ["azure": .azure, "openai": .openAI, "openai-compatible": .openAICompatible, "anthropic": .anthropic]
    )

    private init(queues: [String: QueueMaker], allocations: [String: AllocationMaker], providers: [String: ProviderProfile]) {
        self.queues = queues
        self.allocations = allocations
        self.providers = providers
    }

    /// Makes `name` stand for a queue policy (replacing one registered before; a built-in name cannot be taken).
    public mutating func register(queue name: String, _ make: @escaping QueueMaker) throws(HeadroomError) {
        try Self.checkFree(name, Self.standard.queues, "queue policy")
        queues[name] = make
    }

    /// Makes `name` stand for an allocation policy (replacing one registered before; a built-in name cannot be taken).
    public mutating func register(allocation name: String, _ make: @escaping AllocationMaker) throws(HeadroomError) {
        try Self.checkFree(name, Self.standard.allocations, "allocation policy")
        allocations[name] = make
    }

    /// Makes `name` stand for a provider (replacing one registered before; a built-in name cannot be taken).
    public mutating func register(provider name: String, _ profile: ProviderProfile) throws(HeadroomError) {
        try Self.checkFree(name, Self.standard.providers, "provider")
        providers[name] = profile
    }

    /// A built-in name keeps its meaning, so that a file means the same to every program.
    private static func checkFree(_ name: String, _ builtIn: [String: some Any], _ kind: String) throws(HeadroomError) {
        guard builtIn[name] == nil else {
            throw HeadroomError(.invalidConfiguration, "'\(name)' is a built-in \(kind); register yours under another name.")
        }
    }

    /// The queue policy `settings` names.
    public func queue(for settings: SchedulerSettings) throws(HeadroomError) -> any QueuePolicy {
        try queueMaker(for: settings)(settings)
    }

    /// The allocation policy `settings` names.
    public func allocation(for settings: SchedulerSettings) throws(HeadroomError) -> any AllocationPolicy {
        try allocationMaker(for: settings)(settings)
    }

    /// The provider `name` stands for, for deployment `id`.
    public func provider(named name: String, for id: String) throws(HeadroomError) -> ProviderProfile {
        guard let profile = providers[name] else { throw unknown("Deployment '\(id)': provider", name, providers.keys) }
        return profile
    }

    /// Throws, as making them would, if `settings` names a policy the registry does not know (none is made).
    public func checkNames(in settings: SchedulerSettings) throws(HeadroomError) {
        _ = try queueMaker(for: settings)
        _ = try allocationMaker(for: settings)
    }

    private func queueMaker(for settings: SchedulerSettings) throws(HeadroomError) -> QueueMaker {
        guard let make = queues[settings.queueName] else { throw unknown("scheduler.queue", settings.queueName, queues.keys) }
        return make
    }

    private func allocationMaker(for settings: SchedulerSettings) throws(HeadroomError) -> AllocationMaker {
        guard let make = allocations[settings.allocationName] else {
            throw unknown("scheduler.allocation", settings.allocationName, allocations.keys)
        }
        return make
    }

    private func unknown(_ field: String, _ name: String, _ names: Dictionary<String, some Any>.Keys) -> HeadroomError {
        let known = names.sorted().map { "\"\($0)\"" }
        let list = known.count < 2 ? known.joined() : known.dropLast().joined(separator: ", ") + " or " + known.last!
        return HeadroomError(.invalidConfiguration, "\(field) is '\(name)'; use \(list).")
    }
}
