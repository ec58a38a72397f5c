import Foundation
import HeadroomCache
import HeadroomCore

/// The `cache` section of a configuration: answers kept and served again without
/// going upstream (hits cost no quota). With no such section nothing is cached.
/// Each tenant says which of its answers are cached, and in which namespace
/// (``TenantSettings/cache``, ``TenantSettings/cacheNamespace``).
///
/// ```json
/// "cache": {"store": "disk", "directory": "/var/cache/headroom", "maxBytes": 1073741824, "timeToLiveSeconds": 3600}
/// ```
public struct CacheSettings: Hashable, Sendable, Codable {
    /// Where answers are kept: `memory` (the default), `disk` or `redis` (the gateway's, shared by several).
    public var store: String?
    /// The most the store holds, in bytes (memory and disk; default 256 MiB).
    public var maxBytes: Int?
    /// The disk store's directory.
    public var directory: String?
    /// The Redis store's address: `redis://host:port`, optionally with `/db` (the gateway's).
    public var redisURL: String?
    /// How long an answer is served (default 3,600 s).
    public var timeToLiveSeconds: Double?
    /// The largest answer kept, in bytes (default 4 MiB).
    public var maxEntryBytes: Int?
    /// Which answers are cached for tenants that do not say: `repeatable` (the default), `all` or `off`.
    public var mode: CacheMode?

    /// Settings that leave everything at its default.
    public init() {}

    /// The store's kinds.
    public static let stores = ["memory", "disk", "redis"]

    /// The limits, checked: a configuration is input from outside.
    public func limits() throws(HeadroomError) -> CacheLimits {
        let defaults = CacheLimits()
        let seconds = timeToLiveSeconds ?? defaults.timeToLive / .seconds(1)
        guard seconds >= 1, seconds <= 365 * 86_400 else {
            throw HeadroomError(.invalidConfiguration, "cache.timeToLiveSeconds is \(seconds); it must be from 1 to 31,536,000 (a year).")
        }
        let entryBytes = maxEntryBytes ?? defaults.maxEntryBytes
        guard entryBytes >= 1, entryBytes <= 1 << 30 else {
            throw HeadroomError(.invalidConfiguration, "cache.maxEntryBytes is \(entryBytes); it must be from 1 to 1,073,741,824.")
        }
        return CacheLimits(timeToLive: .seconds(seconds), maxEntryBytes: entryBytes)
    }

    /// The most the store holds, checked (memory and disk; default 256 MiB).
    public func storeBytes() throws(HeadroomError) -> Int {
        let bytes = maxBytes ?? 256 << 20
        guard bytes >= 1 << 20, bytes <= 1 << 50 else {
            throw HeadroomError(.invalidConfiguration, "cache.maxBytes is \(bytes); it must be from 1,048,576 (1 MiB) to 2^50.")
        }
        return bytes
    }

    /// The store the section names, if this package makes it (`memory` or `disk`); `nil` for `redis`,
    /// which the gateway makes.
    public func makeStore() throws(HeadroomError) -> (any ResponseCache)? {
        let bytes = try storeBytes()
        switch store ?? "memory" {
        case "memory":
            return MemoryCache(maxBytes: bytes)
        case "disk":
            guard let directory, !directory.isEmpty else {
                throw HeadroomError(.invalidConfiguration, "cache.store is \"disk\" but cache.directory is missing; name the directory to keep answers in.")
            }
            do {
                return try DiskCache(directory: URL(filePath: directory), maxBytes: bytes)
            } catch {
                throw HeadroomError(.invalidConfiguration, "cache.directory '\(directory)' cannot be used: \(error.localizedDescription)")
            }
        case "redis":
            guard redisURL != nil else {
                throw HeadroomError(.invalidConfiguration, "cache.store is \"redis\" but cache.redisURL is missing; give redis://host:port.")
            }
            return nil
        case let other:
            throw HeadroomError(.invalidConfiguration, "cache.store is \"\(other)\"; it must be one of \(Self.stores.joined(separator: ", ")).")
        }
    }
}
