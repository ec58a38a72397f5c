import HeadroomCache
import HeadroomCore

/// The response cache during one run: its store, the requests in flight that
/// identical ones wait for, and its counts. It mirrors the live `CachingEngine`:
/// look up, else follow an identical request in flight, else lead one; a leader that
/// fails releases its followers to go upstream alone, and one that is cancelled hands
/// the lead to the follower that came first.
struct CacheReplay {
    /// A request's key within its tenant's namespace.
    struct Key: Hashable {
        var namespace: String
        var content: String
    }

    /// What becomes of an arriving request.
    enum Arrival {
        /// The cache does not apply to it: it goes upstream as if there were no cache.
        case bypass
        /// The store answers it.
        case hit
        /// It waits for an identical request in flight.
        case following
        /// It goes upstream; call ``sent(_:_:)`` with its job.
        case fetch(Fetch)
    }

    /// A request upstream whose answer is to be kept, and whether others wait for it.
    struct Fetch {
        var key: Key
        var leads: Bool
    }

    /// What the end of a fetch means for the requests that waited for it.
    enum Settlement {
        /// They have its answer.
        case answered([SimulatedRequest])
        /// They go upstream as these fetches: each alone after a failure; after a cancellation the
        /// first, leading the rest.
        case released([SimulatedRequest], Fetch)
    }

    let settings: SimulatedCache
    private var store: ByteBoundedLRU<Key, Int64>
    /// The followers of each key in flight with a leader.
    private var flights: [Key: [SimulatedRequest]] = [:]
    private var fetches: [JobID: Fetch] = [:]
    private(set) var counts = SimulationReport.Cache()

    init(_ settings: SimulatedCache) {
        self.settings = settings
        store = ByteBoundedLRU(maxBytes: settings.maxBytes)
    }

    /// Looks `request` up at `now`; else it follows an identical request in flight, or leads one.
    mutating func arrive(_ request: SimulatedRequest, at now: Int64) -> Arrival {
        let tenant = settings.tenant(request.tenant)
        guard let content = request.cacheKey, tenant.mode.caches(repeatable: request.isRepeatable) else {
            counts.bypasses += 1
            return .bypass
        }
        let key = Key(namespace: tenant.namespace, content: content)
        if let expiry = store.value(for: key) {
            if expiry > now {
                counts.hits += 1
                return .hit
            }
            store.remove(key)
            counts.expired += 1
        }
        if flights[key] != nil {
            flights[key]?.append(request)
            return .following
        }
        flights[key] = []
        counts.misses += 1
        return .fetch(Fetch(key: key, leads: true))
    }

    /// The fetch went upstream as `job`.
    mutating func sent(_ job: JobID, _ fetch: Fetch) {
        fetches[job] = fetch
    }

    /// `job` ended at `now` with `result`, its answer `outputTokens` long: a fetch's answer
    /// is kept, and its followers are answered or released. `nil` when `job` was no leader.
    mutating func finished(_ job: JobID, result: JobResult, outputTokens: Int, at now: Int64) -> Settlement? {
        guard let fetch = fetches.removeValue(forKey: job) else { return nil }
        if case .succeeded = result { keep(fetch.key, outputTokens: outputTokens, at: now) }
        guard fetch.leads else { return nil }
        switch result {
        case .succeeded:
            let followers = flights.removeValue(forKey: fetch.key) ?? []
            counts.coalesced += followers.count
            return .answered(followers)
        case .failed:
            let followers = flights.removeValue(forKey: fetch.key) ?? []
            counts.misses += followers.count
            return .released(followers, Fetch(key: fetch.key, leads: false))
        case .cancelled:
            guard var followers = flights[fetch.key], !followers.isEmpty else {
                flights[fetch.key] = nil
                return nil
            }
            let next = followers.removeFirst()
            flights[fetch.key] = followers
            counts.misses += 1
            return .released([next], Fetch(key: fetch.key, leads: true))
        }
    }

    private mutating func keep(_ key: Key, outputTokens: Int, at now: Int64) {
        let bytes = SimulatedCache.entryBytes(outputTokens: outputTokens)
        guard bytes <= settings.limits.maxEntryBytes else {
            counts.tooLarge += 1
            return
        }
        counts.evicted += store.insert(now.addingSaturating(settings.limits.timeToLive.nanoseconds), for: key, bytes: bytes).count
        counts.stored += 1
        counts.peakBytes = max(counts.peakBytes, store.bytes)
    }
}
