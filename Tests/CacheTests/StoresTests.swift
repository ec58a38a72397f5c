import Foundation
import HeadroomCache
import HeadroomCore
import Testing

@Suite("Stores")
struct StoresTests {
    @Test("The memory store serves an entry until its time to live has passed")
    func memoryTimeToLive() async {
        let clock = TestClock()
        let cache = MemoryCache(maxBytes: 1 << 20, now: clock.reader)
        await cache.store(entry("A"), for: key(1), timeToLive: .seconds(60))
        clock.advance(by: 59.9)
        #expect(await cache.entry(for: key(1)) == entry("A"))
        clock.advance(by: 0.1)
        #expect(await cache.entry(for: key(1)) == nil)
        #expect(cache.footprint.entries == 0)
    }

    @Test("The memory store stays within its bytes, dropping the least recently used")
    func memoryBound() async {
        let body = String(repeating: "x", count: 1_000)
        let size = 1_000 + 4 + 160 // the body, the deployment's name, the bookkeeping
        let cache = MemoryCache(maxBytes: 3 * size)
        for n in 0 ..< 3 { await cache.store(entry(body), for: key(n), timeToLive: .seconds(60)) }
        _ = await cache.entry(for: key(0))
        await cache.store(entry(body), for: key(3), timeToLive: .seconds(60))
        #expect(await cache.entry(for: key(1)) == nil)
        #expect(await cache.entry(for: key(0)) != nil && cache.footprint == (3 * size, 3))
    }

    @Test("The disk store keeps its entries across a restart, and their times to live")
    func diskRestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "headroom-disk-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = TestClock()
        let events = CacheEntry(answer: .events([Array(#"{"a":1}"#.utf8), Array(#"{"b":2}"#.utf8)]), usage: Usage(promptTokens: 3, completionTokens: 2),
                                deployment: "west", storedAt: clock.now)
        do {
            let cache = try DiskCache(directory: directory, maxBytes: 1 << 20, now: clock.reader)
            try await cache.store(entry("A", storedAt: clock.now), for: key(1), timeToLive: .seconds(60))
            try await cache.store(events, for: key(2), timeToLive: .seconds(600))
        }
        clock.advance(by: 120)
        let reopened = try DiskCache(directory: directory, maxBytes: 1 << 20, now: clock.reader)
        #expect(await reopened.footprint.entries == 2)
        #expect(await reopened.entry(for: key(1)) == nil)
        #expect(await reopened.entry(for: key(2)) == events)
        #expect(await reopened.footprint.entries == 1)
    }

    @Test("A damaged file, or one renamed to another key, reads as no entry and is removed")
    func diskDamage() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "headroom-disk-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let cache = try DiskCache(directory: directory, maxBytes: 1 << 20)
            try await cache.store(entry("A"), for: key(1), timeToLive: .seconds(60))
            try await cache.store(entry("B"), for: key(2), timeToLive: .seconds(60))
        }
        let first = directory.appending(path: "\(key(1)).hrc"), second = directory.appending(path: "\(key(2)).hrc")
        // The second's file under the third's name; the first's cut short.
        try FileManager.default.copyItem(at: second, to: directory.appending(path: "\(key(3)).hrc"))
        let bytes = try Data(contentsOf: first)
        try bytes.prefix(bytes.count - 3).write(to: first)
        let cache = try DiskCache(directory: directory, maxBytes: 1 << 20)
        #expect(await cache.entry(for: key(1)) == nil)
        #expect(await cache.entry(for: key(3)) == nil)
        #expect(await cache.entry(for: key(2)) == entry("B"))
        #expect(!FileManager.default.fileExists(atPath: first.path))
    }

    @Test("The disk store stays within its bytes, removing the least recently used files")
    func diskBound() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "headroom-disk-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let body = String(repeating: "y", count: 1_000)
        let cache = try DiskCache(directory: directory, maxBytes: 3_300)
        for n in 0 ..< 3 { try await cache.store(entry(body), for: key(n), timeToLive: .seconds(60)) }
        #expect(await cache.footprint.entries == 3)
        _ = await cache.entry(for: key(0))
        try await cache.store(entry(body), for: key(3), timeToLive: .seconds(60))
        #expect(await cache.entry(for: key(1)) == nil)
        #expect(await cache.entry(for: key(0)) != nil)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".hrc") }
        #expect(files.count == 3)
    }

    @Test("A record reads back exactly, and no shorter or longer bytes read as one")
    func records() {
        let events = CacheEntry(answer: .events([[1, 2], [], [3]]), usage: Usage(promptTokens: 7, completionTokens: 9), deployment: "δ",
                                storedAt: Date(timeIntervalSince1970: 1_700_000_000.5))
        for original in [entry("{}"), events] {
            let expires = Date(timeIntervalSince1970: 1_800_000_000)
            let record = original.encoded(expiresAt: expires)
            let decoded = CacheEntry.decode(record)
            #expect(decoded?.entry == original && decoded?.expiresAt == expires)
            for length in 0 ..< record.count { #expect(CacheEntry.decode(Array(record.prefix(length))) == nil) }
            #expect(CacheEntry.decode(record + [0]) == nil)
        }
        // An instant past what a record holds (found by fuzzing) reads as nothing.
        var late = entry("{}").encoded(expiresAt: Date(timeIntervalSince1970: 1_800_000_000))
        late[4] = 0x7E
        #expect(CacheEntry.decode(late) == nil)
        // A length far past the bytes there allocates nothing and reads as nothing.
        var hostile = Array("HRC1".utf8) + [UInt8](repeating: 0, count: 32)
        hostile += [0, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(CacheEntry.decode(hostile) == nil)
    }
}
