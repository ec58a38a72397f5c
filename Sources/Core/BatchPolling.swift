/// When a submitted batch is polled next, and when its grace period is up.
///
/// The first poll comes ``BatchRules/pollInterval`` after submission; each wait after is half
/// again the one before, up to ``BatchRules/maxPollInterval``; no poll is due past the grace
/// period's end, when the driver cancels the batch and resends what it has not served.
///
/// ```swift
/// var polling = BatchPolling(submittedAt: now, rules: rules)
/// // at polling.nextPoll: retrieve the batch; still running and not polling.isOverdue(at: now)?
/// polling.polled(at: now)
/// ```
public struct BatchPolling: Hashable, Sendable {
    /// When the batch was submitted.
    public let submittedAt: Instant
    /// When the grace period ends.
    public let graceEndsAt: Instant
    private let maxInterval: Duration
    private var interval: Duration

    /// The polls of a batch submitted at `submittedAt` under `rules`.
    public init(submittedAt: Instant, rules: BatchRules) {
        self.submittedAt = submittedAt
        graceEndsAt = submittedAt + rules.gracePeriod
        maxInterval = rules.maxPollInterval
        interval = rules.pollInterval
        nextPoll = min(submittedAt + rules.pollInterval, graceEndsAt)
    }

    /// The polls so far.
    public private(set) var count = 0

    /// When the next poll is due. Before the grace period's end, never after it, when a poll
    /// decides whether to cancel; after it, while a cancelled batch winds down, at the longest wait.
    public private(set) var nextPoll: Instant

    /// Whether the grace period is over at `now`.
    public func isOverdue(at now: Instant) -> Bool { now >= graceEndsAt }

    /// Notes a poll made at `now`, which found the batch still running: the next wait grows.
    public mutating func polled(at now: Instant) {
        count += 1
        interval = min(maxInterval, interval * 3 / 2)
        nextPoll = now < graceEndsAt ? min(now + interval, graceEndsAt) : now + interval
    }
}
