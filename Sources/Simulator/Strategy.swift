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

    /// The longest aging interval a simulation accepts, in seconds.
    static let longestAging = 10_000_000.0

    var label: String {
        switch self {
        case .fifo: "fifo"
        case .fifoPassing(let times): "fifo, pass \(times)"
        case .priority(let aging?) where aging == aging.rounded() && aging.magnitude <= Self.longestAging: "priority, aging \(Int(aging)) s"
        case .priority(let aging?): "priority, aging \(aging) s"
        case .priority(nil): "priority"
        }
    }
}

/// The built-in allocation policies, by name.
public enum AllocationChoice: String, Hashable, Sendable, CaseIterable, Codable {
    /// ``MaxHeadroom``.
    case maxHeadroom
    /// ``WeightedRandom``.
    case weightedRandom
    /// ``RoundRobin``.
    case roundRobin
    /// ``LeastLoaded``.
    case leastLoaded
}
