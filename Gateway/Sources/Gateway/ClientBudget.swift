import HeadroomCore

/// One client's own limits: requests and estimated tokens a minute, in
/// buckets that refill continuously. A request larger than a whole bucket
/// goes when the bucket is full, so no request is refused for ever.
struct ClientBudget: Sendable {
    private struct Bucket: Sendable {
        let capacity: Double
        let perSecond: Double
        var level: Double

        init(perMinute: Int) {
            capacity = Double(perMinute)
            perSecond = Double(perMinute) / 60
            level = capacity
        }

        mutating func refill(after seconds: Double) {
            level = min(capacity, level + seconds * perSecond)
        }

        /// Seconds until `amount` fits, 0 if it does now.
        func wait(for amount: Double) -> Double {
            let needed = min(amount, capacity)
            return level >= needed ? 0 : (needed - level) / perSecond
        }
    }

    private var requests: Bucket?
    private var tokens: Bucket?
    private var updated: ContinuousClock.Instant?

    init(requestsPerMinute: Int?, tokensPerMinute: Int?) {
        requests = requestsPerMinute.map(Bucket.init(perMinute:))
        tokens = tokensPerMinute.map(Bucket.init(perMinute:))
    }

    /// Takes one request of `estimate` tokens at `now`, or returns how long until it would fit.
    mutating func admit(estimate: Int, now: ContinuousClock.Instant) -> Duration? {
        if let updated {
            let seconds = Double((now - updated).nanoseconds) / 1e9
            requests?.refill(after: max(0, seconds))
            tokens?.refill(after: max(0, seconds))
        }
        updated = now
        let wait = max(requests?.wait(for: 1) ?? 0, tokens?.wait(for: Double(estimate)) ?? 0)
        if wait > 0 { return .seconds(wait) }
        requests?.level -= 1
        tokens?.level -= Double(estimate)
        return nil
    }
}
