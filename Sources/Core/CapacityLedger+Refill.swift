/// A window that refills continuously: a bucket (OpenAI's minute).
///
/// Its `tokens` and `requests` are what the bucket owes, in whole units: each
/// charge adds to them, and they fall at the window's limits per window length,
/// never below zero. A charge fits while what is owed plus the charge stays
/// within the limit.
///
/// The arithmetic is exact (``BucketArithmetic``): besides the whole units owed,
/// each dimension keeps how far the next unit has refilled. So a wait told before
/// a refill and one told after it are the same.
extension CapacityLedger.Window {
    /// Brings what is owed up to `now`.
    mutating func refill(to now: Int64) {
        guard now > refilledAt else { return }
        let elapsed = now - refilledAt
        refilledAt = now
        (tokens, tokensProgress) = BucketArithmetic.owed(tokens, progress: tokensProgress, after: elapsed, limit: tokenLimit, length: length)
        (requests, requestsProgress) = BucketArithmetic.owed(requests, progress: requestsProgress, after: elapsed, limit: requestLimit, length: length)
    }

    /// Adds `tokens` and `requests` to what is owed (negative: a refund), never below zero.
    mutating func charge(tokens: Int, requests: Int) {
        self.tokens += tokens
        self.requests += requests
        if self.tokens <= 0 { (self.tokens, tokensProgress) = (0, 0) }
        if self.requests <= 0 { (self.requests, requestsProgress) = (0, 0) }
    }

    /// When what is owed has fallen far enough for a charge of `tokens` and `requests` requests to fit.
    func refilled(for tokens: Int, requests charged: Int = 1) -> Int64 {
        max(instant(owed: self.tokens, progress: tokensProgress, fallsTo: tokenLimit - tokens, limit: tokenLimit),
            instant(owed: requests, progress: requestsProgress, fallsTo: max(0, requestLimit - charged), limit: requestLimit))
    }

    /// When nothing is owed.
    var refilledFully: Int64 {
        max(instant(owed: tokens, progress: tokensProgress, fallsTo: 0, limit: tokenLimit),
            instant(owed: requests, progress: requestsProgress, fallsTo: 0, limit: requestLimit))
    }

    /// Whole tokens and requests that refill between `now` and `later`, rounded down.
    func refilled(from now: Int64, to later: Int64) -> (tokens: Int, requests: Int) {
        let elapsed = later.subtractingReportingOverflow(now).partialValue
        return (BucketArithmetic.units(refillingIn: elapsed, limit: tokenLimit, length: length),
                BucketArithmetic.units(refillingIn: elapsed, limit: requestLimit, length: length))
    }

    /// When what is owed falls to `target`, and a nanosecond more: a provider that counts in
    /// floating point may be a hair behind the exact instant.
    private func instant(owed: Int, progress: Int64, fallsTo target: Int, limit: Int) -> Int64 {
        let exact = BucketArithmetic.instant(owed: owed, progress: progress, fallsTo: target, since: refilledAt, limit: limit, length: length)
        return exact == refilledAt || exact == .max ? exact : exact + 1
    }
}
