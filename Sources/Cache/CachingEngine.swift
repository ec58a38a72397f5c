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
        /// Goes upstream, and stores the answer if it may be.
        func fetch() async throws -> (APIAnswer, CacheEntry) {
            statistics.count { $0.misses += 1 }
            let answer = try await upstream()
            let entry = CacheEntry(answer: .body(answer.body), usage: answer.usage, deployment: answer.head.deployment, storedAt: now())
            await keep(entry, for: key)
            return (answer, entry)
        }
        func hit(_ entry: CacheEntry, age: Duration, coalesced: Bool = false) -> Reply? {
            guard case .body(let body) = entry.answer else { return nil }
            statistics.served(entry, model: model, coalesced: coalesced)
            return Reply(answer: Self.answer(body, entry), status: .hit, age: age)
        }
        // A request that must not be answered from the cache does not wait for another's answer either.
        if options.directives.noCache { return Reply(answer: try await fetch().0, status: .miss) }
        if let (entry, age) = await lookUp(key, options.directives), let reply = hit(entry, age: age) { return reply }
        while true {
            switch await flights.join(key) {
            case .lead:
                // Another leader may have stored it between the lookup and joining.
                if let (entry, age) = await lookUp(key, options.directives), let reply = hit(entry, age: age) {
                    await flights.land(key, with: entry)
                    return reply
                }
                do {
                    let (answer, entry) = try await fetch()
                    await flights.land(key, with: entry)
                    return Reply(answer: answer, status: .miss)
                } catch is CancellationError {
                    await flights.abandon(key)
                    throw CancellationError()
                } catch {
                    await flights.land(key, with: nil)
                    throw error
                }
            case .answered(let entry):
                if let reply = hit(entry, age: .zero, coalesced: true) { return reply }
            case .alone:
                return Reply(answer: try await fetch().0, status: .miss)
            case .cancelled:
                throw CancellationError()
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
