import Foundation
import HeadroomAdapters
import HeadroomCache
import HeadroomCore
import Testing

@Suite("Caching engine", .timeLimit(.minutes(2)))
struct CachingEngineTests {
    private func cached(_ provider: CountingProvider, clock: TestClock = TestClock(), maxEntryBytes: Int = 1 << 20) throws -> CachingEngine {
        CachingEngine(engine: try engine(provider), store: MemoryCache(maxBytes: 1 << 20, now: clock.reader),
                      limits: CacheLimits(timeToLive: .seconds(600), maxEntryBytes: maxEntryBytes), now: clock.reader)
    }

    private func text(_ reply: CachingEngine.Reply) -> String { String(decoding: reply.answer.body, as: UTF8.self) }

    @Test("A repeated request is served from the store, byte for byte, without going upstream")
    func hit() async throws {
        let provider = CountingProvider()
        let clock = TestClock()
        let cache = try cached(provider, clock: clock)
        let first = try await cache.send(chat())
        clock.advance(by: 42)
        let second = try await cache.send(chat())
        #expect(first.status == .miss && second.status == .hit && second.age == .seconds(42))
        #expect(second.answer.body == first.answer.body && second.answer.usage == first.answer.usage)
        #expect(await provider.calls == 1)
        let counts = cache.statistics.snapshot
        #expect(counts.hits == 1 && counts.misses == 1 && counts.stored == 1 && counts.bytesSaved == first.answer.body.count)
        #expect(counts.tokensSaved["gpt-4o"] == CacheStatistics.TokenCount(prompt: 9, completion: 3))
    }

    @Test("no-store neither looks up nor stores; no-cache stores but looks nothing up; max-age refuses older answers")
    func directives() async throws {
        let provider = CountingProvider()
        let clock = TestClock()
        let cache = try cached(provider, clock: clock)
        func send(_ field: String?) async throws -> CachingEngine.Reply {
            try await cache.send(chat(), options: CacheRequestOptions(directives: CacheDirectives(cacheControl: field)))
        }
        #expect(try await send("no-store").status == .bypass)
        #expect(try await send(nil).status == .miss)           // answer 2 stored
        #expect(try await text(send("no-cache")).contains("Answer 3")) // answer 3 replaces it
        clock.advance(by: 30)
        #expect(try await send("max-age=20").status == .miss)  // 30 s old: too old; answer 4 stored
        let fresh = try await send("max-age=20")
        #expect(fresh.status == .hit && text(fresh).contains("Answer 4"))
        #expect(try await text(send("no-store")).contains("Answer 5"))
        #expect(await provider.calls == 5)
    }

    @Test("Modes: off and sampled requests under repeatable go upstream every time; all caches them")
    func modes() async throws {
        let provider = CountingProvider()
        let cache = try cached(provider)
        let sampled = try APIRequest(.chatCompletions, bytes: Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#.utf8))
        for _ in 0 ..< 2 { #expect(try await cache.send(sampled).status == .bypass) }
        for _ in 0 ..< 2 { #expect(try await cache.send(chat(), options: CacheRequestOptions(mode: .off)).status == .bypass) }
        #expect(try await cache.send(sampled, options: CacheRequestOptions(mode: .all)).status == .miss)
        #expect(try await cache.send(sampled, options: CacheRequestOptions(mode: .all)).status == .hit)
        #expect(await provider.calls == 5)
    }

    @Test("Namespaces do not share answers")
    func namespaces() async throws {
        let provider = CountingProvider()
        let cache = try cached(provider)
        _ = try await cache.send(chat(), options: CacheRequestOptions(namespace: "a"))
        #expect(try await cache.send(chat(), options: CacheRequestOptions(namespace: "b")).status == .miss)
        #expect(try await cache.send(chat(), options: CacheRequestOptions(namespace: "a")).status == .hit)
    }

    @Test("Identical requests in flight go upstream once, and each gets the same bytes")
    func coalesces() async throws {
        let provider = CountingProvider()
        await provider.hold()
        let cache = try cached(provider)
        let replies = try await withThrowingTaskGroup(of: CachingEngine.Reply.self) { group in
            for _ in 0 ..< 20 { group.addTask { try await cache.send(chat()) } }
            await provider.waitForCalls(1)
            // Every request has had time to join the one in flight before the answer comes.
            try await Task.sleep(for: .milliseconds(200))
            await provider.release()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(await provider.calls == 1)
        #expect(Set(replies.map(\.answer.body)).count == 1)
        #expect(replies.filter { $0.status == .miss }.count == 1)
        // A request slow to join finds the answer stored instead: a hit either way.
        let counts = cache.statistics.snapshot
        #expect(counts.coalesced + counts.hits == 19 && counts.misses == 1 && counts.coalesced > 0)
    }

    @Test("A leader's failure is not shared: each follower goes upstream on its own")
    func failureNotShared() async throws {
        let provider = CountingProvider()
        await provider.set(.fail(status: 400))
        await provider.hold()
        let cache = try cached(provider)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0 ..< 3 { group.addTask { (try? await cache.send(chat())) != nil } }
            await provider.waitForCalls(1)
            try? await Task.sleep(for: .milliseconds(200))
            await provider.set(.answer)
            await provider.release()
            return await group.reduce(into: []) { $0.append($1) }
        }
        // The leader failed; its two followers were released and each was answered afresh.
        #expect(outcomes.filter { $0 }.count == 2 && outcomes.filter { !$0 }.count == 1)
        #expect(await provider.calls == 3)
        #expect(cache.statistics.snapshot.coalesced == 0)
    }

    @Test("A cancelled leader hands over to a follower, which goes upstream in its place")
    func cancelledLeader() async throws {
        let provider = CountingProvider()
        await provider.hold()
        let cache = try cached(provider)
        let leader = Task { try await cache.send(chat()) }
        await provider.waitForCalls(1)
        let followers = (0 ..< 2).map { _ in Task { try await cache.send(chat()) } }
        try await Task.sleep(for: .milliseconds(200))
        leader.cancel()
        await provider.waitForCalls(2)
        await provider.release()
        let replies = try await [followers[0].value, followers[1].value]
        #expect(await provider.calls == 2)
        #expect(replies.map(\.answer.body)[0] == replies.map(\.answer.body)[1])
        #expect(Set(replies.map(\.status)) == [.miss, .hit])
        await #expect(throws: CancellationError.self) { try await leader.value }
    }

    @Test("A streamed answer is stored once complete and replayed as the same events")
    func streams() async throws {
        let provider = CountingProvider()
        let cache = try cached(provider)
        func collect(_ reply: CachingEngine.StreamReply) async throws -> (events: [[UInt8]], usage: Usage?) {
            var events: [[UInt8]] = []
            var usage: Usage?
            for try await part in reply.parts {
                if case .event(let data) = part { events.append(data) }
                if case .usage(let used) = part { usage = used }
            }
            return (events, usage)
        }
        let first = await cache.stream(try chat(stream: true))
        let fetched = try await collect(first)
        let second = await cache.stream(try chat(stream: true))
        let replayed = try await collect(second)
        #expect(first.status == .miss && second.status == .hit)
        #expect(replayed.events == fetched.events && fetched.events.count == 3 && replayed.usage == Usage(promptTokens: 9, completionTokens: 3))
        // A stream and a plain request are answered in different forms: one does not serve the other.
        #expect(try await cache.send(chat()).status == .miss)
        #expect(await provider.calls == 2)
    }

    @Test("An answer larger than an entry may be is served but not stored")
    func tooLarge() async throws {
        let provider = CountingProvider()
        let cache = try cached(provider, maxEntryBytes: 20)
        #expect(try await cache.send(chat()).status == .miss)
        #expect(try await cache.send(chat()).status == .miss)
        #expect(cache.statistics.snapshot.tooLarge == 2 && cache.statistics.snapshot.stored == 0)
    }

    @Test("A store that fails is a miss, never a failed request")
    func failingStore() async throws {
        struct Broken: ResponseCache {
            struct Down: Error {}
            func entry(for key: CacheKey) async throws -> CacheEntry? { throw Down() }
            func store(_ entry: CacheEntry, for key: CacheKey, timeToLive: Duration) async throws { throw Down() }
        }
        let provider = CountingProvider()
        let cache = CachingEngine(engine: try engine(provider), store: Broken())
        #expect(try await cache.send(chat()).status == .miss)
        #expect(try await cache.send(chat()).status == .miss)
        #expect(cache.statistics.snapshot.storeErrors == 6) // two lookups (and a second look as leader) and a store, twice
    }
}
