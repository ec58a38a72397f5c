/// A window that refills continuously: a bucket (OpenAI's minute).
///
/// Its `tokens` and `requests` are what the bucket owes, in whole units: each
/// charge adds to them, and they fall at the window's limits per window length,
/// never below zero. A charge fits while what is owed plus the charge stays
/// within the limit.
///
/// The arithmetic is exact: besides the whole units owed, each dimension keeps
/// how far the next unit has refilled (`progress`, in units of limit × nanoseconds,
/// below one window length). So what is owed at an instant, and the instant at
/// which it falls to a level, do not depend on when the bucket was last brought
/// up to date: a wait told before a refill and one told after it are the same.
extension CapacityLedger.Window {
    /// Brings what is owed up to `now`.
    mutating func refill(to now: Int64) {
        guard now > refilledAt else { return }
        let elapsed = now - refilledAt
        refilledAt = now
        (tokens, tokensProgress) = Self.owed(tokens, progress: tokensProgress, after: elapsed, limit: tokenLimit, length: length)
        (requests, requestsProgress) = Self.owed(requests, progress: requestsProgress, after: elapsed, limit: requestLimit, length: length)
    }

    /// Adds `tokens` and `requests` to what is owed (negative: a refund), never below zero.
    mutating func charge(tokens: Int, requests: Int) {
        self.tokens += tokens
        self.requests += requests
        if self.tokens <= 0 { (self.tokens, tokensProgress) = (0, 0) }
        if self.requests <= 0 { (self.requests, requestsProgress) = (0, 0) }
    }

    /// When what is owed has fallen far enough for a charge of `tokens` and one request to fit.
    func refilled(for tokens: Int) -> Int64 {
        max(instant(owed: self.tokens, progress: tokensProgress, fallsTo: tokenLimit - tokens, limit: tokenLimit),
            instant(owed: requests, progress: requestsProgress, fallsTo: requestLimit - 1, limit: requestLimit))
    }

    /// When nothing is owed.
    var refilledFully: Int64 {
        max(instant(owed: tokens, progress: tokensProgress, fallsTo: 0, limit: tokenLimit),
            instant(owed: requests, progress: requestsProgress, fallsTo: 0, limit: requestLimit))
    }

    /// Whole tokens and requests that refill between `now` and `later`, rounded down.
    func refilled(from now: Int64, to later: Int64) -> (tokens: Int, requests: Int) {
        let elapsed = Int128(max(0, later.subtractingReportingOverflow(now).partialValue))
        func units(_ limit: Int) -> Int { Int(clamping: elapsed * Int128(limit) / Int128(length)) }
        return (units(tokenLimit), units(requestLimit))
    }

    /// What is owed, and the next unit's progress, after `elapsed` nanoseconds refilling at `limit` per `length`.
    private static func owed(_ owed: Int, progress: Int64, after elapsed: Int64, limit: Int, length: Int64) -> (Int, Int64) {
        guard owed > 0 else { return (0, 0) }
        let total = Int128(progress) + Int128(elapsed) * Int128(limit)
        let whole = total / Int128(length)
        guard whole < Int128(owed) else { return (0, 0) }
        return (owed - Int(whole), Int64(total % Int128(length)))
    }

    /// The first instant at which `owed` (with `progress` towards the next unit) has fallen
    /// to `target` (``refilledAt``, if it has; `.max` if it never can).
    private func instant(owed: Int, progress: Int64, fallsTo target: Int, limit: Int) -> Int64 {
        guard owed > max(0, target) else { return refilledAt }
        guard target >= 0 else { return .max }
        let needed = Int128(owed - target) * Int128(length) - Int128(progress)
        let wait = (needed + Int128(limit) - 1) / Int128(limit)
        return wait >= Int128(Int64.max / 2) ? .max : refilledAt.addingSaturating(Int64(wait))
    }
}
