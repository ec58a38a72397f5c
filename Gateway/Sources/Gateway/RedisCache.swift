import Foundation
import HeadroomCache
import HeadroomCore
import HeadroomRedis

/// Answers in Redis, shared by every gateway that points at it: a hit on one for
/// what another fetched. Each entry is one string key (`headroom:cache:` and the
/// key's digest) holding the entry's record and its key, lapsing by Redis's own
/// expiry (`SET ... PX`). Redis's memory bound and eviction policy
/// (`maxmemory`, `allkeys-lru`) bound the store.
public struct RedisCache: ResponseCache {
    /// The client it talks through.
    public let redis: RedisClient
    private let now: @Sendable () -> Date
    static let prefix = "headroom:cache:"

    /// A store on the server `redis` talks to.
    public init(redis: RedisClient, now: @escaping @Sendable () -> Date = Date.init) {
        self.redis = redis
        self.now = now
    }

    public func entry(for key: CacheKey) async throws -> CacheEntry? {
        guard let record = try await redis.send(["GET", Self.prefix + key.description]).bytes,
              let (entry, expiresAt) = CacheEntry.decode(record, for: key), expiresAt > now() else { return nil }
        return entry
    }

    public func store(_ entry: CacheEntry, for key: CacheKey, timeToLive: Duration) async throws {
        let milliseconds = max(1, timeToLive.nanoseconds / 1_000_000)
        let record = entry.record(for: key, expiresAt: now().addingTimeInterval(Double(milliseconds) / 1_000))
        _ = try await redis.send([Array("SET".utf8), Array((Self.prefix + key.description).utf8), record, Array("PX".utf8), Array(String(milliseconds).utf8)])
    }
}
