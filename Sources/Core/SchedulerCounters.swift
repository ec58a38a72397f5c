/// Running totals of what the scheduler has done, for export as metrics.
public struct SchedulerCounters: Hashable, Sendable {
    /// Jobs submitted.
    public var submitted = 0
    /// Attempts dispatched (first tries and retries).
    public var dispatched = 0
    /// Jobs that succeeded.
    public var succeeded = 0
    /// Jobs that failed after being accepted (permanent errors, attempts exhausted).
    public var failed = 0
    /// Jobs refused at submission (invalid, unservable, queue full, past their deadline).
    public var rejected = 0
    /// Jobs whose deadline or maximum queue wait passed while they waited.
    public var expired = 0
    /// Jobs cancelled by the caller.
    public var cancelled = 0
    /// Attempts that were retried.
    public var retries = 0
    /// Attempts throttled by a provider (429).
    public var throttled = 0
    /// Attempts that failed with a retryable error other than a 429.
    public var transientFailures = 0
    /// Attempts a batch ended without serving (failed, expired or cancelled), their jobs sent again synchronously.
    public var resentFromBatch = 0
    /// Events naming a job or deployment the scheduler does not have (late completions).
    public var staleEvents = 0

    /// Creates zeroed counters.
    public init() {}

    /// Jobs that have ended, one way or another.
    public var ended: Int { succeeded + failed + rejected + expired + cancelled }
}
