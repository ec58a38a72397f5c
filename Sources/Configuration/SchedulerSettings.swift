import HeadroomCore

/// The `scheduler` section of a configuration: the policies, by name, and the
/// scheduler's bounds. The same section drives a simulation, the engine and the
/// gateway, so what is tuned in the simulator deploys as it is.
///
/// ```json
/// "scheduler": {"queue": "priority", "agingSeconds": 30, "allocation": "maxHeadroom",
///               "targetUtilization": 0.97, "maxQueueWaitSeconds": 120}
/// ```
public struct SchedulerSettings: Hashable, Sendable, Codable {
    /// The queue policy's name in the ``Registry`` (default `fifo`).
    public var queue: String?
    /// `fifo`: how many times a smaller job may pass a blocked one (default 0: strict order).
    public var passLimit: Int?
    /// `priority`: seconds after which a waiting job gains a level (default 60); `0` is strict priority.
    public var agingSeconds: Double?
    /// `fair`: what a prompt token and an output token count on a tenant's counter (defaults 1 and 2).
    public var fairInputWeight: Double?
    public var fairOutputWeight: Double?
    /// The allocation policy's name in the ``Registry`` (default `maxHeadroom`).
    public var allocation: String?
    /// The share of each limit to plan for, in (0, 1] (default 1).
    public var targetUtilization: Double?
    /// The share of each limit a tenant over its share leaves free for the others while they are
    /// active, from 0 (default: none) to below 1 (``HeadroomCore/SchedulerConfiguration/tenantReserve``).
    public var tenantReserve: Double?
    /// Jobs that may wait at once (default 10,000); 0 never waits.
    public var maxQueueLength: Int?
    /// The longest a job waits for a deployment, in seconds (default 60, in every program: a caller gets an
    /// answer, with when to try again, rather than hang until it gives up).
    public var maxQueueWaitSeconds: Double?
    /// How far past a blocked job the dispatch pass looks (default 128).
    public var lookahead: Int?
    /// Whether small jobs may use a deployment a blocked job waits for without delaying it (default true).
    public var backfill: Bool?
    /// Attempts in all, the first included (default 5).
    public var maxAttempts: Int?

    /// Settings that leave everything at its default.
    public init(queue: String? = nil, allocation: String? = nil) {
        self.queue = queue
        self.allocation = allocation
    }

    /// The queue policy's name, defaulted.
    public var queueName: String { queue ?? "fifo" }
    /// The allocation policy's name, defaulted.
    public var allocationName: String { allocation ?? "maxHeadroom" }

    /// The wait bound when a file gives none: one minute.
    public static let defaultMaxQueueWaitSeconds = 60.0

    /// The scheduler's configuration, every figure checked (a configuration is input from outside).
    public func configuration() throws(HeadroomError) -> SchedulerConfiguration {
        func fail(_ problem: String) -> HeadroomError { HeadroomError(.invalidConfiguration, "scheduler.\(problem)") }
        var configuration = SchedulerConfiguration()
        if let length = maxQueueLength { configuration.maxQueueLength = length }
        let wait = maxQueueWaitSeconds ?? Self.defaultMaxQueueWaitSeconds
        // Checked before it becomes a duration: converting an absurd number traps.
        guard wait > 0 && wait <= 10_000_000 else {
            throw fail("maxQueueWaitSeconds is \(wait); it must be above 0 and at most 10,000,000 (about four months), or left out.")
        }
        configuration.maxQueueWait = .seconds(wait)
        if let passes = passLimit, passes < 0 { throw fail("passLimit is \(passes); it must be 0 or more.") }
        for (name, weight) in [("fairInputWeight", fairInputWeight), ("fairOutputWeight", fairOutputWeight)] {
            if let weight, !(weight >= 0 && weight <= 1_000) { throw fail("\(name) is \(weight); it must be from 0 to 1,000.") }
        }
        if (fairInputWeight ?? 1) + (fairOutputWeight ?? 2) == 0 { throw fail("fairInputWeight and fairOutputWeight are both 0; tokens must count for something.") }
        if let aging = agingSeconds, !(aging >= 0 && aging <= Self.longestAging) {
            throw fail("agingSeconds is \(aging); it must be from 0 (strict priority) to 10,000,000 (about four months).")
        }
        configuration.targetUtilization = targetUtilization ?? configuration.targetUtilization
        configuration.lookahead = lookahead ?? configuration.lookahead
        configuration.tenantReserve = tenantReserve ?? configuration.tenantReserve
        configuration.backfill = backfill ?? configuration.backfill
        configuration.retry.maxAttempts = maxAttempts ?? configuration.retry.maxAttempts
        do {
            try configuration.validate()
        } catch {
            throw fail(error.message.replacingPrefix("SchedulerConfiguration: "))
        }
        return configuration
    }

    /// The longest aging interval accepted, in seconds.
    static let longestAging = 10_000_000.0

    /// The aging interval of the `priority` queue: 60 s unless given; `nil` (strict) for 0, and for a
    /// value out of range, which ``configuration()`` refuses.
    public var aging: Duration? {
        let seconds = agingSeconds ?? 60
        return seconds > 0 && seconds <= Self.longestAging ? .seconds(seconds) : nil
    }
}

extension String {
    /// The string without `prefix`, if it starts with it.
    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
