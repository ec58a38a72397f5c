/// How a driver runs one batch deployment: when a forming batch file is sent, how often a
/// submitted batch is polled, and how long it may run before what it has not served is sent
/// synchronously. The live engine and the simulator follow the same rules
/// (``BatchFormer``, ``BatchPolling``).
///
/// ```swift
/// var rules = BatchRules()
/// rules.maxAge = .seconds(60)        // a file goes at most a minute after its first request
/// rules.gracePeriod = .seconds(3_600) // cancel and resend what an hour has not served
/// ```
public struct BatchRules: Hashable, Sendable, Codable {
    /// The most requests in one file (OpenAI allows 50,000; Azure 100,000).
    public var maxRequests = 50_000
    /// The most bytes in one file (both allow 200 MB).
    public var maxBytes = 200_000_000
    /// The longest a file waits for more requests after its first: it goes then, however steady the traffic.
    public var maxAge: Duration = .seconds(60)
    /// The first wait between polls of a submitted batch (Azure asks for no more than one a minute).
    public var pollInterval: Duration = .seconds(60)
    /// The longest wait between polls: each wait is half again the one before, up to this.
    public var maxPollInterval: Duration = .seconds(600)
    /// How long a batch may run before it is cancelled and what it has not served is sent synchronously.
    public var gracePeriod: Duration = .seconds(86_400)
    /// How long a batch cancelled past its grace period may take to wind down (Azure can take ten
    /// minutes) before what it has not reported is sent synchronously.
    public var cancelWait: Duration = .seconds(900)
    /// The turnaround expected of a batch, for routing by deadline: a request whose deadline leaves at
    /// least this long may go to batch.
    public var expectedTurnaround: Duration = .seconds(86_400)

    /// Rules with the providers' bounds and a minute's flush and poll.
    public init() {}

    /// Why the rules are unusable, or `nil` when they are fine.
    public func problem() -> String? {
        if !(1 ... 100_000).contains(maxRequests) { return "maxRequests is \(maxRequests); it must be from 1 to 100,000." }
        if !(1 ... 200_000_000).contains(maxBytes) { return "maxBytes is \(maxBytes); it must be from 1 to 200,000,000." }
        let day: Duration = .seconds(86_400)
        for (name, value, least) in [("maxAge", maxAge, Duration.zero), ("pollInterval", pollInterval, .milliseconds(1)),
                                     ("maxPollInterval", maxPollInterval, pollInterval), ("gracePeriod", gracePeriod, .milliseconds(1)), ("cancelWait", cancelWait, .zero),
                                     ("expectedTurnaround", expectedTurnaround, .zero)] where value < least || value > day * 7 {
            return "\(name) is \(value); it must be from \(least) to 7 days."
        }
        return nil
    }
}
