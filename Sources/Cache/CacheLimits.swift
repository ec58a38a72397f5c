/// How long answers are kept, and how large one may be.
public struct CacheLimits: Hashable, Sendable {
    /// How long a stored answer is served (default one hour).
    public var timeToLive: Duration
    /// The largest answer stored, in bytes (default 4 MiB); larger ones go upstream every time.
    public var maxEntryBytes: Int

    /// Settings; each left out takes its default.
    public init(timeToLive: Duration = .seconds(3_600), maxEntryBytes: Int = 4 << 20) {
        self.timeToLive = timeToLive
        self.maxEntryBytes = maxEntryBytes
    }
}
