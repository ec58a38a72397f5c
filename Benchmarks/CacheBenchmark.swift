import Foundation
import HeadroomAdapters
import HeadroomCache
import HeadroomCore

/// The response cache's own costs, on one core: keying a typical chat request
/// (parsing it, writing its canonical form, SHA-256), and lookups in the memory
/// store holding 100,000 entries of about 1 KB (every lookup a hit).
enum CacheBenchmark {
    static func run(arguments: [String]) async {
        let count = arguments.first.flatMap(Int.init) ?? 200_000
        let body = Array(#"{"model":"gpt-4o","temperature":0,"max_tokens":400,"messages":[{"role":"system","content":"You are a helpful assistant that answers briefly."},{"role":"user","content":"\#(String(repeating: "What does the cache key hold? ", count: 30))"}]}"#.utf8)
        let clock = ContinuousClock()
        func seconds(_ elapsed: Duration) -> Double { Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18 }

        var keys: [CacheKey] = []
        keys.reserveCapacity(count)
        var start = clock.now
        for n in 0 ..< count {
            guard let request = try? APIRequest(.chatCompletions, bytes: body),
                  let key = CacheKey(request, namespace: "tenant-\(n % 100_000)", defaultMaxTokens: 4_096) else { fatalError("the request has no key") }
            keys.append(key)
        }
        let keying = seconds(clock.now - start)

        let store = MemoryCache(maxBytes: 1 << 30)
        let entry = CacheEntry(answer: .body([UInt8](repeating: 0x61, count: 1_000)), usage: Usage(promptTokens: 300, completionTokens: 100),
                               deployment: "east", storedAt: Date())
        for key in keys.prefix(100_000) { await store.store(entry, for: key, timeToLive: .seconds(3_600)) }
        var hits = 0
        start = clock.now
        for key in keys where await store.entry(for: key) != nil { hits += 1 }
        let lookup = seconds(clock.now - start)
        print("cache: \(count) keys of a \(body.count)-byte chat request; \(count) lookups in a memory store of 100,000 entries")
        print("operation      per second   microseconds each")
        print([Table.pad("key a request", 15), Table.pad("\(Int(Double(count) / keying))", 13), Table.format(keying / Double(count) * 1e6, 2)].joined())
        print([Table.pad("memory lookup", 15), Table.pad("\(Int(Double(count) / lookup))", 13), Table.format(lookup / Double(count) * 1e6, 2)].joined())
        print("{\"benchmark\":\"cache\",\"keysPerSecond\":\(Int(Double(count) / keying)),\"lookupsPerSecond\":\(Int(Double(count) / lookup)),\"hits\":\(hits)}")
    }
}
