/// A window that refills continuously: a bucket (OpenAI's minute).
///
/// Its `tokens` and `requests` are what the bucket owes: each charge adds to
/// them, and they fall at the window's limits per window length, never below
/// zero. A charge fits while what is owed plus the charge stays within the limit.
/// The time of the last refill is kept per dimension and moved on only by the
/// time the whole amount refilled took, so no fraction is lost between events.
extension CapacityLedger.Window {
    /// Brings what is owed up to `now`.
    mutating func refill(to now: Int64) {
        (tokens, tokensRefilledAt) = Self.owed(tokens, since: tokensRefilledAt, limit: tokenLimit, length: length, now: now)
        (requests, requestsRefilledAt) = Self.owed(requests, since: requestsRefilledAt, limit: requestLimit, length: length, now: now)
    }

    /// When what is owed has fallen far enough for a charge of `tokens` and one request to fit.
    func refilled(for tokens: Int) -> Int64 {
        max(Self.instant(owed: self.tokens, fallsTo: tokenLimit - tokens, since: tokensRefilledAt, limit: tokenLimit, length: length),
            Self.instant(owed: requests, fallsTo: requestLimit - 1, since: requestsRefilledAt, limit: requestLimit, length: length))
    }

    /// When nothing is owed.
    var refilledFully: Int64 {
        max(Self.instant(owed: tokens, fallsTo: 0, since: tokensRefilledAt, limit: tokenLimit, length: length),
            Self.instant(owed: requests, fallsTo: 0, since: requestsRefilledAt, limit: requestLimit, length: length))
    }

    /// Tokens and requests that refill between `now` and `later`, rounded down.
    func refilled(from now: Int64, to later: Int64) -> (tokens: Int, requests: Int) {
        let elapsed = Double(max(0, later - now)) / Double(length)
        return (Int(elapsed * Double(tokenLimit)), Int(elapsed * Double(requestLimit)))
    }

    /// `owed` as of `now`, refilling at `limit` per `length` since `since`, and the new `since`.
    private static func owed(_ owed: Int, since: Int64, limit: Int, length: Int64, now: Int64) -> (Int, Int64) {
        guard owed > 0 else { return (0, now) }
        guard now > since else { return (owed, since) }
        let refilled = Double(now - since) * Double(limit) / Double(length)
        guard refilled < Double(owed) else { return (0, now) }
        let whole = Int(refilled)
        return (owed - whole, since + Int64(Double(whole) * Double(length) / Double(limit)))
    }

    /// The first instant at which `owed` has fallen to `target` (at once, if it has; never before `since`).
    private static func instant(owed: Int, fallsTo target: Int, since: Int64, limit: Int, length: Int64) -> Int64 {
        guard owed > max(0, target) else { return since }
        guard target >= 0 else { return .max }
        // Rounded up, and a nanosecond more, so the refill has surely happened by then.
        let wait = (Double(owed - target) * Double(length) / Double(limit)).rounded(.up) + 1
        return wait >= Double(Int64.max / 2) ? .max : since.addingSaturating(Int64(wait))
    }
}
