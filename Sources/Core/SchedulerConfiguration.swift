/// How the scheduler queues, paces and retries, with production defaults.
///
/// ```swift
/// var configuration = SchedulerConfiguration()
/// configuration.maxQueueLength = 5_000
/// configuration.maxQueueWait = .seconds(30)
/// configuration.targetUtilization = 0.95
/// ```
public struct SchedulerConfiguration: Hashable, Sendable {
    /// A submission that cannot be dispatched at once while this many jobs
    /// already wait is rejected with ``HeadroomError/Kind/queueFull``; `nil`
    /// means no bound (0: never wait).
    public var maxQueueLength: Int? = 10_000
    /// A job still waiting this long after submission fails with
    /// ``HeadroomError/Kind/queueWaitExceeded``; `nil` means it may wait for ever.
    public var maxQueueWait: Duration? = nil
    /// The fraction of each limit the scheduler plans to use, in (0, 1].
    /// Below 1 it leaves a margin for estimation error and unseen traffic.
    public var targetUtilization: Double = 1
    /// How far past a job that cannot go yet the scheduler looks for one that
    /// can (one wanting another deployment, or one the queue policy lets pass).
    public var lookahead: Int = 128
    /// Whether a job may take a deployment that a blocked job ahead of it is
    /// waiting for, when sending it now cannot delay that job (its charge leaves
    /// the windows in time, or both fit): conservative backfilling.
    public var backfill = true
    /// Whether the dispatch pass may find the jobs it found blocked last time blocked again
    /// without judging them, while nothing they depend on has changed, and each deployment's
    /// ledger may answer a charge it was asked about with the wait it told last time (and a claim
    /// with the backfill room it told, until the ledger changes or time moves it). Off: every
    /// blocked job is judged afresh at every event. Slower under load, the same decisions; the
    /// oracle that tests the shortcut.
    public var remembersBlockedJobs = true
    /// Each tenant's own limits, by the name its jobs give (``Job/tenant``); tenants not named here have none.
    public var tenantLimits: [String: TenantLimits] = [:]
    /// The share of every window's limits that a tenant taking more than its weighted share of
    /// the last minute's service must leave free, while another tenant is active, for the tenants
    /// under their share; 0 (the default): none, and the scheduler is work-conserving.
    ///
    /// A fair queue puts a light tenant's request first, but under overload it still waits for a
    /// busy tenant's charges to leave the windows. Kept free, it goes at once; the price is at most
    /// this share of the capacity, and only while a tenant under its share has been active within
    /// the minute. See the Policies catalog's article on choosing a policy.
    public var tenantReserve = 0.0
    /// Retries of failed attempts.
    public var retry = RetryPolicy()
    /// How the effective limits shrink when 429s come despite the accounting.
    public var adaptation = Adaptation()
    /// The wait after a 429 that carried no retry-after.
    public var defaultThrottleWait: Duration = .seconds(1)
    /// How long after a deployment leaves rotation one request may go to it
    /// to probe it (half-open): an answer other than "unavailable" brings it
    /// back; each failed probe doubles the wait, up to ten minutes. `nil`: it
    /// stays out until ``Scheduler/enable(_:now:)``.
    public var probeOutOfRotation: Duration? = .seconds(30)
    /// Seed of the generator behind jitter and random allocation.
    public var seed: UInt64 = 0x4865_6164_726F_6F6D
    /// The share of every deployment's limits this instance starts with (0 to 1): 0 for an
    /// instance that shares deployments with others and waits to be granted its share
    /// (``Scheduler/share(_:for:now:)``).
    public var initialShare = 1.0

    /// The defaults.
    public init() {}

    /// Checks every figure.
    public func validate() throws(HeadroomError) {
        func fail(_ problem: String) -> HeadroomError {
            HeadroomError(.invalidConfiguration, "SchedulerConfiguration: \(problem)")
        }
        if let length = maxQueueLength, length < 0 {
            throw fail("maxQueueLength is \(length); it must be 0 or more, or nil for no bound.")
        }
        if let wait = maxQueueWait, wait <= .zero {
            throw fail("maxQueueWait is \(wait); it must be positive, or nil for no bound.")
        }
        if !(targetUtilization > 0 && targetUtilization <= 1) {
            throw fail("targetUtilization is \(targetUtilization); it must be in (0, 1].")
        }
        if lookahead < 1 { throw fail("lookahead is \(lookahead); it must be at least 1.") }
        if let probe = probeOutOfRotation, !(probe > .zero && probe <= .seconds(86_400)) {
            throw fail("probeOutOfRotation is \(probe); it must be positive and at most a day, or nil for no probes.")
        }
        if !(initialShare >= 0 && initialShare <= 1) {
            throw fail("initialShare is \(initialShare); it must be from 0 to 1.")
        }
        if !(tenantReserve >= 0 && tenantReserve < 1) {
            throw fail("tenantReserve is \(tenantReserve); it must be at least 0 and below 1.")
        }
        if defaultThrottleWait < .zero {
            throw fail("defaultThrottleWait is \(defaultThrottleWait); it must not be negative.")
        }
        for name in tenantLimits.keys.sorted() { try tenantLimits[name]?.validate(tenant: name) }
        try retry.validate()
        try adaptation.validate()
    }
}

/// Retries with exponential back-off and jitter.
///
/// The *n*-th retry waits `initialBackoff * multiplier^(n-1)`, capped at
/// `maxBackoff`, scaled by a factor drawn uniformly from
/// `[1 - jitter, 1 + jitter]`; a retry-after from the provider wins when given.
/// A throttled attempt is retried at once on another deployment if one has room.
public struct RetryPolicy: Hashable, Sendable {
    /// Attempts in all, the first included; 1 disables retries.
    public var maxAttempts: Int = 5
    /// The wait before the first retry.
    public var initialBackoff: Duration = .milliseconds(500)
    /// The longest wait between attempts.
    public var maxBackoff: Duration = .seconds(30)
    /// Growth of the wait from one retry to the next.
    public var multiplier: Double = 2
    /// Relative spread of the wait, in [0, 1].
    public var jitter: Double = 0.2
    /// The longest retry-after the scheduler honours; longer ones are clamped
    /// so a hostile or broken header cannot park a job for hours.
    public var maxRetryAfter: Duration = .seconds(120)

    /// The defaults.
    public init() {}

    func validate() throws(HeadroomError) {
        func fail(_ problem: String) -> HeadroomError {
            HeadroomError(.invalidConfiguration, "RetryPolicy: \(problem)")
        }
        if maxAttempts < 1 { throw fail("maxAttempts is \(maxAttempts); it must be at least 1.") }
        if initialBackoff < .zero || maxBackoff < initialBackoff {
            throw fail("initialBackoff (\(initialBackoff)) and maxBackoff (\(maxBackoff)) must satisfy 0 <= initial <= max.")
        }
        if !(multiplier >= 1 && multiplier.isFinite) { throw fail("multiplier is \(multiplier); it must be at least 1.") }
        if !(jitter >= 0 && jitter <= 1) { throw fail("jitter is \(jitter); it must be in [0, 1].") }
        if maxRetryAfter < .zero { throw fail("maxRetryAfter is \(maxRetryAfter); it must not be negative.") }
    }

    /// The wait before retry number `retry` (1 for the first), using `random` for jitter.
    func backoff(retry: Int, random: inout SeededRandom) -> Duration {
        let exponent = Double(max(0, retry - 1))
        let base = min(Double(maxBackoff.nanoseconds), Double(initialBackoff.nanoseconds) * pow(multiplier, exponent))
        let spread = jitter == 0 ? 1 : 1 - jitter + 2 * jitter * random.nextUnit()
        return .nanoseconds(Int64(min(base * spread, Double(Int64.max / 2))))
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 && result < 1e18 { result *= base; remaining -= 1 }
        return result
    }
}

/// Additive-increase, multiplicative-decrease of a deployment's effective limits.
///
/// Each 429 episode (the 429s of one burst count once) multiplies the
/// deployment's limit factor by `decrease`, down to `floor`; every
/// `recoveryInterval` without a 429 adds `recoveryStep` back, up to 1.
public struct Adaptation: Hashable, Sendable {
    /// Whether limits adapt at all.
    public var isEnabled = true
    /// Multiplier applied on a 429 episode, in (0, 1].
    public var decrease = 0.9
    /// The lowest factor, in (0, 1].
    public var floor = 0.5
    /// What each quiet interval gives back.
    public var recoveryStep = 0.02
    /// The quiet time that earns one step.
    public var recoveryInterval: Duration = .seconds(10)

    /// The defaults.
    public init() {}

    func validate() throws(HeadroomError) {
        func fail(_ problem: String) -> HeadroomError {
            HeadroomError(.invalidConfiguration, "Adaptation: \(problem)")
        }
        if !(decrease > 0 && decrease <= 1) { throw fail("decrease is \(decrease); it must be in (0, 1].") }
        if !(floor > 0 && floor <= 1) { throw fail("floor is \(floor); it must be in (0, 1].") }
        if !(recoveryStep > 0 && recoveryStep <= 1) { throw fail("recoveryStep is \(recoveryStep); it must be in (0, 1].") }
        if recoveryInterval <= .zero { throw fail("recoveryInterval is \(recoveryInterval); it must be positive.") }
    }
}
