/// One tenant's own limits: requests, and estimated tokens (prompt plus output
/// limit), a minute, over and above the deployments' quotas. A job of a tenant
/// over its limits waits in the queue, bound by the queue's wait like any other,
/// and claims no deployment meanwhile: other tenants' jobs go ahead of it.
///
/// Each limit is a bucket holding a minute's worth that refills continuously.
/// A job is charged when first dispatched (a retry is not charged again); one
/// larger than a whole bucket goes when the bucket is full, so none waits for ever.
///
/// ```swift
/// configuration.tenantLimits["batch"] = TenantLimits(requestsPerMinute: 120, tokensPerMinute: 200_000)
/// ```
public struct TenantLimits: Hashable, Sendable {
    /// Requests a minute, if limited.
    public var requestsPerMinute: Int?
    /// Estimated tokens (prompt plus output limit) a minute, if limited.
    public var tokensPerMinute: Int?
    /// Its share of the capacity against other tenants' under a fair queue policy (1 by default):
    /// a tenant of weight 2 is served twice the tokens of one of weight 1 while both wait.
    public var weight: Double

    /// Limits; each left out is unlimited.
    public init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, weight: Double = 1) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.weight = weight
    }

    /// Checks every figure.
    func validate(tenant name: String) throws(HeadroomError) {
        for (field, value) in [("requestsPerMinute", requestsPerMinute), ("tokensPerMinute", tokensPerMinute)] {
            if let value, !(value >= 1 && value <= Deployment.largestQuota) {
                throw HeadroomError(.invalidConfiguration,
                                    "Tenant '\(name)': \(field) is \(value); it must be from 1 to 1,000,000,000,000, or left out.")
            }
        }
        if !(weight >= 0.001 && weight <= 1_000_000) {
            throw HeadroomError(.invalidConfiguration, "Tenant '\(name)': weight is \(weight); it must be from 0.001 to 1,000,000.")
        }
    }
}

/// What a tenant with limits owes its buckets (see ``TenantLimits``), in the exact
/// arithmetic of ``BucketArithmetic``.
struct TenantBudget: Sendable {
    private static let minute = Duration.seconds(60).nanoseconds
    private let requestLimit: Int?
    private let tokenLimit: Int?
    private var requests = 0, requestsProgress: Int64 = 0
    private var tokens = 0, tokensProgress: Int64 = 0
    private var refilledAt: Int64 = .min

    init?(_ limits: TenantLimits?) {
        guard let limits, limits.requestsPerMinute != nil || limits.tokensPerMinute != nil else { return nil }
        requestLimit = limits.requestsPerMinute
        tokenLimit = limits.tokensPerMinute
    }

    /// The first instant at which a job of `charge` tokens fits: when the buckets owe little enough for
    /// one more request and the charge (nothing, for a charge larger than a whole bucket).
    func admission(charge: Int) -> Int64 {
        var at = Int64.min
        if let limit = requestLimit {
            at = max(at, BucketArithmetic.instant(owed: requests, progress: requestsProgress, fallsTo: limit - 1, since: refilledAt,
                                                  limit: limit, length: Self.minute))
        }
        if let limit = tokenLimit {
            at = max(at, BucketArithmetic.instant(owed: tokens, progress: tokensProgress, fallsTo: max(0, limit - charge), since: refilledAt,
                                                  limit: limit, length: Self.minute))
        }
        return at
    }

    /// Charges a job of `charge` tokens dispatched at `now`.
    mutating func charge(_ charge: Int, now: Int64) {
        if refilledAt != .min {
            let elapsed = now - refilledAt
            if let limit = requestLimit {
                (requests, requestsProgress) = BucketArithmetic.owed(requests, progress: requestsProgress, after: elapsed, limit: limit, length: Self.minute)
            }
            if let limit = tokenLimit {
                (tokens, tokensProgress) = BucketArithmetic.owed(tokens, progress: tokensProgress, after: elapsed, limit: limit, length: Self.minute)
            }
        }
        refilledAt = now
        if requestLimit != nil { requests += 1 }
        if tokenLimit != nil { tokens = tokens.addingSaturating(charge) }
    }
}
