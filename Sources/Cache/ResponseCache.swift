/// Where answers are kept: a small asynchronous get and set with a time to live.
///
/// Headroom brings three: ``MemoryCache`` (the default: least recently used
/// entries go first, within a bound in bytes), ``DiskCache`` (files in a
/// directory, kept across restarts) and, in the Gateway package, a Redis store
/// shared by several gateways. A store of your own (a database, an object store)
/// needs only these two methods.
///
/// A store need not be exact about time (an entry may outlive its time to live
/// by a little), but must never return an entry for another key. Errors are
/// treated as misses by the caller, never as failures of the request.
public protocol ResponseCache: Sendable {
    /// The entry stored for `key`, if there is one that has not lapsed.
    func entry(for key: CacheKey) async throws -> CacheEntry?
    /// Stores `entry` for `key` for `timeToLive`, replacing any entry there.
    func store(_ entry: CacheEntry, for key: CacheKey, timeToLive: Duration) async throws
}
