import Foundation
import HeadroomAdapters
import HeadroomCore

/// A live engine with a response cache in front: an answer already stored is served
/// without reaching the scheduler (it costs no quota), identical requests in flight
/// go upstream once, and answers that may be stored are.
///
/// ```swift
/// let cached = CachingEngine(engine: engine, store: MemoryCache(maxBytes: 256 << 20))
/// let reply = try await cached.send(request, options: CacheRequestOptions(mode: .repeatable, namespace: "team-a"))
/// reply.status   // .hit, .miss or .bypass
/// ```
public struct CachingEngine: Sendable {
    /// An answer and where it came from.
    public struct Reply: Sendable {
        /// The answer: a hit's is the stored one, byte for byte.
        public var answer: APIAnswer
        /// Where it came from.
        public var status: CacheStatus
        /// A hit's age.
        public var age: Duration?
    }

    /// The engine that sends what the cache cannot answer.
    public let engine: HeadroomEngine
    /// Where answers are kept.
    public let store: any ResponseCache
    /// How long answers are kept, and how large one may be.
    public let limits: CacheLimits
    /// What the cache has done.
    public let statistics = CacheStatistics()
    let flights = Coalescer()
    let now: @Sendable () -> Date

    /// A cache in front of `engine`, keeping answers in `store`; `now` tells the time entries are stored at.
    public init(engine: HeadroomEngine, store: any ResponseCache, limits: CacheLimits = CacheLimits(),
                now: @escaping @Sendable () -> Date = Date.init) {
        self.engine = engine
        self.store = store
        self.limits = limits
        self.now = now
    }

    /// Sends `request` as ``HeadroomEngine/send(_:priority:deadline:)`` does, unless the cache answers it.
    public func send(_ request: APIRequest, priority: Int = 0, deadline: Duration? = nil,
                     options: CacheRequestOptions = CacheRequestOptions()) async throws -> Reply {
        let model = request.model ?? ""
        let upstream = { try await engine.send(request, priority: priority, deadline: deadline) }
        guard let key = key(for: request, options) else {
            statistics.count { $0.bypasses += 1 }
            return Reply(answer: try await upstream(), status: .bypass)
        }
        switch try await resolve(key, options.directives, usable: { if case .body(let body) = $0.answer { body } else { nil } }) {
        case .hit(let entry, let body, let age, let coalesced):
            statistics.served(entry, model: model, coalesced: coalesced)
            return Reply(answer: Self.answer(body, entry), status: .hit, age: age)
        case .fetch(let leading):
            statistics.count { $0.misses += 1 }
            do {
                let answer = try await upstream()
                let entry = CacheEntry(answer: .body(answer.body), usage: answer.usage, deployment: answer.head.deployment, storedAt: now())
                await keep(entry, for: key)
                if leading { await flights.land(key, with: entry) }
                return Reply(answer: answer, status: .miss)
            } catch {
                if leading {
                    if error is CancellationError { await flights.abandon(key) } else { await flights.land(key, with: nil) }
                }
                throw error
            }
        }
    }

    /// The request's key, or `nil` when the cache does not apply to it.
    func key(for request: APIRequest, _ options: CacheRequestOptions) -> CacheKey? {
        guard options.mode.caches(request), !options.directives.noStore else { return nil }
        return CacheKey(request, namespace: options.namespace, defaultMaxTokens: engine.limits.defaultMaxTokens)
    }

    /// The entry for `key` and its age, if the store has one the directives accept (a store that fails is a miss).
    func lookUp(_ key: CacheKey, _ directives: CacheDirectives) async -> (CacheEntry, Duration)? {
        let entry: CacheEntry?
        do {
            entry = try await store.entry(for: key)
        } catch {
            statistics.count { $0.storeErrors += 1 }
            return nil
        }
        guard let entry else { return nil }
        let age = entry.age(at: now())
        return directives.accepts(age: age) ? (entry, age) : nil
    }

    /// Stores `entry` for `key` if it is not too large.
    func keep(_ entry: CacheEntry, for key: CacheKey) async {
        guard entry.answerBytes <= limits.maxEntryBytes else {
            statistics.count { $0.tooLarge += 1 }
            return
        }
        do {
            try await store.store(entry, for: key, timeToLive: limits.timeToLive)
            statistics.count { $0.stored += 1 }
        } catch {
            statistics.count { $0.storeErrors += 1 }
        }
    }

    /// A stored body as an answer: from the deployment that first gave it, queued for no time.
    static func answer(_ body: [UInt8], _ entry: CacheEntry) -> APIAnswer {
        APIAnswer(head: AnswerHead(deployment: entry.deployment, attempt: 0, queuedFor: .zero, headers: [:]), body: body, usage: entry.usage)
    }
}
