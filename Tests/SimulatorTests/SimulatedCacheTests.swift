import Foundation
import HeadroomCache
import HeadroomConfiguration
import HeadroomCore
import Testing
@testable import HeadroomSimulator

/// A request of 400 prompt tokens and 100 output tokens at `seconds`, asking `key`.
private func asking(_ key: String?, at seconds: Double, tenant: String? = nil, repeatable: Bool = true, output: Int = 100) -> SimulatedRequest {
    SimulatedRequest(arrival: .seconds(seconds), promptTokens: 400, maxTokens: output, outputTokens: output,
                     tenant: tenant, cacheKey: key, isRepeatable: repeatable)
}

/// One Azure deployment of 60,000 tokens a minute answering in 0.4 s + 20 ms a token, exactly, behind `cache`.
private func simulation(_ cache: SimulatedCache) throws -> Simulation {
    var endpoint = EndpointModel.azure(tokensPerMinute: 60_000)
    endpoint.latency.jitter = 0
    var simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: endpoint)], seed: 1)
    simulation.cache = cache
    return simulation
}

private func run(_ requests: [SimulatedRequest], _ cache: SimulatedCache = SimulatedCache(mode: .all),
                 strategy: Strategy = .headroom()) throws -> SimulationReport {
    var workload = ListWorkload(requests: requests)
    return try simulation(cache).run(&workload, strategy: strategy)
}

@Suite("The simulated response cache")
struct SimulatedCacheTests {
    @Test("A repeat while the first is upstream waits for its answer, a later one is a hit, a request without a key passes by",
          arguments: [Strategy.headroom(), .naiveRetry, .shuffleCooldown, .tokenBucket])
    func hitCoalescedBypass(_ strategy: Strategy) throws {
        // The first answers at 2.4 s (0.4 + 100 × 0.02); the second, at 1 s, is handed that answer.
        let report = try run([asking("k", at: 0), asking("k", at: 1), asking("k", at: 10), asking(nil, at: 20)], strategy: strategy)
        let cache = try #require(report.cache)
        #expect(cache.lookups == 3 && cache.hits == 1 && cache.coalesced == 1 && cache.misses == 1 && cache.bypasses == 1)
        #expect(cache.hitRate == 2.0 / 3 && cache.stored == 1 && cache.evicted == 0 && cache.expired == 0)
        #expect(cache.peakBytes == SimulatedCache.entryBytes(outputTokens: 100))
        // Only two requests reach the deployment; the offer the capacity bound sees is theirs.
        #expect(report.upstream.attempts == 2 && report.requests.offered == 4 && report.requests.succeeded == 4)
        #expect(report.capacity.offeredTokens == 1_000)
        #expect(cache.tokensSaved == 1_000 && cache.freedTokens == 1_000 && cache.freedShare == 0.5)
        // Latencies: 2.4 s twice (the first and the bypass), 1.4 s (the coalesced), 0 (the hit).
        #expect(report.latency.count == 4 && report.latency.max == 2.4 && report.latency.p50 == 1.4)
    }

    @Test("An answer is served for its time to live, then fetched again")
    func timeToLive() throws {
        let cache = SimulatedCache(limits: CacheLimits(timeToLive: .seconds(10)), mode: .all)
        let report = try run([asking("k", at: 0), asking("k", at: 12.3), asking("k", at: 12.5), asking("k", at: 20)], cache)
        // Stored at 2.4 s, it lapses at 12.4 s: a hit at 12.3, a miss at 12.5 (stored again at 14.9), a hit at 20.
        let counts = try #require(report.cache)
        #expect(counts.hits == 2 && counts.misses == 2 && counts.expired == 1 && counts.stored == 2)
    }

    @Test("The least recently used answer goes when the store is full")
    func boundedInBytes() throws {
        let cache = SimulatedCache(maxBytes: 2 * SimulatedCache.entryBytes(outputTokens: 100), mode: .all)
        // a, b stored; a read (b is now the oldest); c pushes b out; a still hits, b misses.
        let report = try run([asking("a", at: 0), asking("b", at: 5), asking("a", at: 10), asking("c", at: 15),
                              asking("a", at: 20), asking("b", at: 25)], cache)
        let counts = try #require(report.cache)
        #expect(counts.hits == 2 && counts.misses == 4 && counts.evicted == 2 && counts.stored == 4)
        #expect(counts.peakBytes == 2 * SimulatedCache.entryBytes(outputTokens: 100))
    }

    @Test("An answer larger than an entry may be is not kept")
    func tooLarge() throws {
        let cache = SimulatedCache(limits: CacheLimits(maxEntryBytes: SimulatedCache.entryBytes(outputTokens: 100) - 1), mode: .all)
        let report = try run([asking("k", at: 0), asking("k", at: 10)], cache)
        #expect(report.cache?.tooLarge == 2 && report.cache?.stored == 0 && report.cache?.hits == 0 && report.upstream.attempts == 2)
    }

    @Test("Modes and namespaces: repeatable keeps only repeatable answers, off none; tenants share only within a namespace")
    func modesAndNamespaces() throws {
        let cache = SimulatedCache(mode: .repeatable, tenants: [
            "a": .init(mode: .repeatable, namespace: "shared"), "b": .init(mode: .all, namespace: "shared"),
            "c": .init(mode: .all, namespace: "c"), "quiet": .init(mode: .off, namespace: "shared"),
        ])
        let report = try run([
            asking("k", at: 0, tenant: "a"),
            asking("k", at: 10, tenant: "b"),                      // hit: b shares a's namespace
            asking("k", at: 20, tenant: "c"),                      // miss: c's own namespace
            asking("k", at: 30, tenant: "quiet"),                  // bypass: off
            asking("s", at: 40, tenant: "a", repeatable: false),   // bypass: a sampled answer in repeatable mode
            asking("s", at: 50, tenant: "b", repeatable: false),   // miss: b keeps all
            asking("k", at: 60),                                   // miss: no tenant, the unnamed namespace
            asking("k", at: 70, tenant: "unlisted"),               // miss: a namespace of its own name
        ], cache)
        let counts = try #require(report.cache)
        #expect(counts.hits == 1 && counts.misses == 5 && counts.bypasses == 2 && counts.stored == 5)
    }

    @Test("A leader that fails releases its followers to go upstream alone, not sharing its failure")
    func failedLeader() throws {
        // 200,000 tokens fit no deployment of a 128,000-token context: the scheduler refuses both.
        var big = asking("k", at: 0)
        big.promptTokens = 200_000
        var again = big
        again.arrival = .zero
        var endpoint = EndpointModel.azure(tokensPerMinute: 600_000)
        endpoint.latency.jitter = 0
        var simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: endpoint, contextWindow: 128_000)], seed: 1)
        simulation.cache = SimulatedCache(mode: .all)
        var workload = ListWorkload(requests: [big, again])
        let report = try simulation.run(&workload, strategy: .headroom())
        #expect(report.cache?.misses == 2 && report.cache?.coalesced == 0 && report.cache?.stored == 0)
        #expect(report.requests.offered == 2 && report.requests.failed.values.reduce(0, +) == 2)
    }

    @Test("A cancelled leader hands the lead to the first follower, which answers the rest")
    func cancelledLeader() throws {
        var replay = CacheReplay(SimulatedCache(mode: .all))
        guard case .fetch(let fetch) = replay.arrive(asking("k", at: 0), at: 0) else { Issue.record("not a fetch"); return }
        #expect(fetch.leads)
        replay.sent(JobID(rawValue: 1), fetch)
        let first = asking("k", at: 1), second = asking("k", at: 2)
        guard case .following = replay.arrive(first, at: 1_000_000_000), case .following = replay.arrive(second, at: 2_000_000_000) else {
            Issue.record("not following")
            return
        }
        guard case .released(let released, let lead)? = replay.finished(JobID(rawValue: 1), result: .cancelled, outputTokens: 0, at: 3_000_000_000) else {
            Issue.record("not released")
            return
        }
        #expect(released == [first] && lead.leads)
        replay.sent(JobID(rawValue: 2), lead)
        guard case .answered(let answered)? = replay.finished(JobID(rawValue: 2), result: .succeeded, outputTokens: 100, at: 5_000_000_000) else {
            Issue.record("not answered")
            return
        }
        #expect(answered == [second])
        #expect(replay.counts.misses == 2 && replay.counts.coalesced == 1 && replay.counts.stored == 1)
    }

    @Test("Without a cache the report has no cache section, and its JSON no cache key")
    func absent() throws {
        var endpoint = EndpointModel.azure(tokensPerMinute: 60_000)
        endpoint.latency.jitter = 0
        let plain = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: endpoint)], seed: 1)
        var workload = ListWorkload(requests: [asking("k", at: 0), asking("k", at: 10)])
        let report = try plain.run(&workload, strategy: .headroom())
        #expect(report.cache == nil && report.upstream.attempts == 2)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(!json.contains("\"cache\""))
    }

    @Test("A configuration's cache section and tenants make the simulated cache, the gateway's defaults included")
    func fromConfiguration() throws {
        var configuration = HeadroomConfiguration(deployments: [])
        #expect(try SimulatedCache(configuration) == nil)
        var settings = CacheSettings()
        settings.timeToLiveSeconds = 60
        configuration.cache = settings
        var tenant = TenantSettings(name: "search")
        tenant.cache = .all
        configuration.tenants = [tenant]
        let cache = try #require(try SimulatedCache(configuration))
        #expect(cache.maxBytes == 256 << 20 && cache.limits.timeToLive == .seconds(60) && cache.mode == .repeatable)
        #expect(cache.tenants == ["search": .init(mode: .all, namespace: "search")])
        settings.maxBytes = 1_000
        configuration.cache = settings
        #expect(throws: HeadroomError.self) { try SimulatedCache(configuration) }
    }

    @Test("Synthetic repeats: every request carries a key, a share of one repeats an earlier one with its sizes")
    func syntheticRepeats() throws {
        var all = SyntheticWorkload(count: 50, requestsPerSecond: 10, repeats: .init(share: 1, pool: 1), seed: 4)
        var requests: [SimulatedRequest] = []
        while let request = all.next() { requests.append(request) }
        #expect(requests.allSatisfy { $0.cacheKey == "s0" && $0.promptTokens == requests[0].promptTokens && $0.outputTokens == requests[0].outputTokens })
        var none = SyntheticWorkload(count: 50, requestsPerSecond: 10, repeats: .init(share: 0), seed: 4)
        var keys: Set<String> = []
        while let request = none.next() { keys.insert(try #require(request.cacheKey)) }
        #expect(keys.count == 50)
        var plain = SyntheticWorkload(count: 5, requestsPerSecond: 10, seed: 4)
        while let request = plain.next() { #expect(request.cacheKey == nil) }
    }

    @Test("Same seed, same report, with the cache on")
    func deterministic() throws {
        func once() throws -> SimulationReport {
            var workload = SyntheticWorkload(count: 2_000, requestsPerSecond: 20, repeats: .init(share: 0.4, pool: 200), seed: 9)
            return try simulation(SimulatedCache(mode: .all)).run(&workload, strategy: .headroom())
        }
        let first = try once()
        #expect(try once() == first)
        let counts = try #require(first.cache)
        #expect(counts.lookups == 2_000 && counts.hits + counts.coalesced > 700 && counts.hits + counts.coalesced < 900)
    }
}
