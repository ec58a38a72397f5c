import Foundation
import Synchronization

/// The default store: answers in this process's memory, within a bound in bytes,
/// the least recently used dropped first. Lapsed entries are dropped when read.
///
/// ```swift
/// let cache = MemoryCache(maxBytes: 256 << 20)
/// try await cache.store(entry, for: key, timeToLive: .seconds(3_600))
/// let again = try await cache.entry(for: key)
/// ```
public final class MemoryCache: ResponseCache {
    private struct Stored: Sendable {
        var entry: CacheEntry
        var expiresAt: Date
    }

    /// What an entry costs beyond its answer's bytes: the key, the deployment's name, the bookkeeping.
    static let overheadBytes = 160

    private let entries: Mutex<ByteBoundedLRU<CacheKey, Stored>>
    private let now: @Sendable () -> Date

    /// A store that holds at most `maxBytes` (answers and their bookkeeping), reading the time from `now`.
    public init(maxBytes: Int, now: @escaping @Sendable () -> Date = Date.init) {
        entries = Mutex(ByteBoundedLRU(maxBytes: maxBytes))
        self.now = now
    }

    /// The bytes held now, and the number of entries.
    public var footprint: (bytes: Int, entries: Int) {
        entries.withLock { ($0.bytes, $0.count) }
    }

    public func entry(for key: CacheKey) async -> CacheEntry? {
        let now = now()
        return entries.withLock { lru -> CacheEntry? in
            guard let stored = lru.value(for: key) else { return nil }
            guard stored.expiresAt > now else {
                lru.remove(key)
                return nil
            }
            return stored.entry
        }
    }

    public func store(_ entry: CacheEntry, for key: CacheKey, timeToLive: Duration) async {
        let stored = Stored(entry: entry, expiresAt: now().addingTimeInterval(timeToLive / .seconds(1)))
        let size = Self.size(of: entry)
        entries.withLock { _ = $0.insert(stored, for: key, bytes: size) }
    }

    /// What `entry` is counted as against the bound.
    static func size(of entry: CacheEntry) -> Int {
        var size = entry.answerBytes + entry.deployment.rawValue.utf8.count + overheadBytes
        if case .events(let events) = entry.answer { size += 16 * events.count }
        return size
    }
}
