import HeadroomConfiguration
import HeadroomCore

/// Who decides where and when requests go in a simulation.
public enum Strategy: Hashable, Sendable {
    /// Headroom's scheduler with these policies and settings.
    case headroom(HeadroomSettings = HeadroomSettings())
    /// A model of the OpenAI SDK's send-and-retry (see ``NaiveRetryClient``).
    case naiveRetry
    /// A model of LiteLLM's default router (see ``ShuffleCooldownClient``).
    case shuffleCooldown
    /// A model of a per-deployment token-bucket proxy such as LLProxy (see ``TokenBucketClient``).
    case tokenBucket

    /// The baselines every report compares against.
    public static let baselines: [Strategy] = [.naiveRetry, .shuffleCooldown, .tokenBucket]

    /// A short name for tables.
    public var label: String {
        switch self {
        case .headroom(let settings): "headroom (\(settings.queue.label), \(settings.allocation.rawValue))"
        case .naiveRetry: "naive retry (OpenAI SDK model)"
        case .shuffleCooldown: "shuffle + cooldown (LiteLLM model)"
        case .tokenBucket: "token bucket (LLProxy model)"
        }
    }
}

/// Headroom's policies and scheduler configuration for a simulation.
public struct HeadroomSettings: Hashable, Sendable {
    /// The queue policy.
    public var queue: QueueChoice = .fifo
    /// The allocation policy.
    public var allocation: AllocationChoice = .maxHeadroom
    /// The scheduler's configuration (its seed is the simulation's).
    public var configuration = SchedulerConfiguration()
    /// The scheduler is told each deployment's requests per minute times this
    /// (to see what a limit set too high or too low does).
    public var requestLimitScale = 1.0
    /// The scheduler is told each deployment's tokens per minute times this.
    public var tokenLimitScale = 1.0

    /// The defaults: FIFO, max headroom, the default configuration.
    public init(queue: QueueChoice = .fifo, allocation: AllocationChoice = .maxHeadroom,
                configuration: SchedulerConfiguration = SchedulerConfiguration()) {
        self.queue = queue
        self.allocation = allocation
        self.configuration = configuration
    }

    /// The settings a configuration gives: its `scheduler` section, with the policies `registry`
    /// names, and its tenants' limits.
    public init(_ configuration: HeadroomConfiguration, registry: Registry = .standard) throws(HeadroomError) {
        let scheduler = configuration.scheduler ?? SchedulerSettings()
        // Checked first: the figures below come from outside.
        self.configuration = try configuration.schedulerConfiguration()
        switch scheduler.queueName {
        case "fifo": queue = scheduler.passLimit.map { .fifoPassing($0) } ?? .fifo
        case "priority": queue = .priority(agingSeconds: scheduler.aging.map { $0 / .seconds(1) })
        case let name: queue = .named(name)
        }
        allocation = AllocationChoice(rawValue: scheduler.allocationName)
        section = scheduler
        // Names the registry does not know are refused now, not at the run.
        try registry.checkNames(in: scheduler)
    }

    /// The `scheduler` section these settings came from, if any: its policies' own fields (a fair
    /// queue's token weights) reach the registry's makers.
    private var section = SchedulerSettings()

    /// The `scheduler` section that names these policies, for the registry's makers.
    var policies: SchedulerSettings {
        var settings = section
        settings.allocation = allocation.rawValue
        switch queue {
        case .fifo: settings.queue = "fifo"
        case .fifoPassing(let times): (settings.queue, settings.passLimit) = ("fifo", times)
        case .priority(let aging): (settings.queue, settings.agingSeconds) = ("priority", aging ?? 0)
        case .named(let name): settings.queue = name
        }
        return settings
    }

    /// Why the settings cannot be used, or `nil`.
    func validationProblem() -> String? {
        for (name, scale) in [("requestLimitScale", requestLimitScale), ("tokenLimitScale", tokenLimitScale)] where !(scale > 0 && scale <= 1_000) {
            return "\(name) is \(scale); it must be above 0 and at most 1,000."
        }
        switch queue {
        case .fifoPassing(let times) where times < 0:
            return "the FIFO pass limit is \(times); it must be 0 or more."
        case .priority(let aging?) where !(aging > 0 && aging <= QueueChoice.longestAging):
            return "agingSeconds is \(aging); it must be above 0 and at most 10,000,000 (about four months), or left out for strict priority."
        default:
            break
        }
        do { try configuration.validate() } catch { return error.message }
        return nil
    }
}

/// The built-in queue policies, by name.
public enum QueueChoice: Hashable, Sendable {
    /// ``FIFOQueue`` strict.
    case fifo
    /// ``FIFOQueue`` letting smaller jobs pass a blocked one this many times.
    case fifoPassing(Int)
    /// ``PriorityQueue`` with this aging interval in seconds (`nil`: strict).
    case priority(agingSeconds: Double?)
    /// A queue policy registered under this name (see ``Simulation/registry``).
    case named(String)

    /// The longest aging interval a simulation accepts, in seconds.
    static let longestAging = 10_000_000.0

    var label: String {
        switch self {
        case .fifo: "fifo"
        case .fifoPassing(let times): "fifo, pass \(times)"
        case .priority(let aging?) where aging == aging.rounded() && aging.magnitude <= Self.longestAging: "priority, aging \(Int(aging)) s"
        case .priority(let aging?): "priority, aging \(aging) s"
        case .priority(nil): "priority"
        case .named(let name): name
        }
    }
}

/// An allocation policy, by name: the built-in ones, or one registered (see ``Simulation/registry``).
public struct AllocationChoice: RawRepresentable, Hashable, Sendable, Codable, CaseIterable {
    /// The policy's name in the registry.
    public var rawValue: String

    /// The policy named `rawValue`.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// ``MaxHeadroom``.
    public static let maxHeadroom = AllocationChoice(rawValue: "maxHeadroom")
    /// ``WeightedRandom``.
    public static let weightedRandom = AllocationChoice(rawValue: "weightedRandom")
    /// ``RoundRobin``.
    public static let roundRobin = AllocationChoice(rawValue: "roundRobin")
    /// ``LeastLoaded``.
    public static let leastLoaded = AllocationChoice(rawValue: "leastLoaded")

    /// The built-in policies.
    public static let allCases: [AllocationChoice] = [.maxHeadroom, .weightedRandom, .roundRobin, .leastLoaded]
}
