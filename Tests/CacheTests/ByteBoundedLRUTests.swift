import HeadroomCache
import Testing

@Suite("Byte-bounded LRU")
struct ByteBoundedLRUTests {
    @Test("The least recently used go first, and only as many as the bound needs")
    func evictsLeastRecent() {
        var lru = ByteBoundedLRU<String, Int>(maxBytes: 10)
        lru.insert(1, for: "a", bytes: 4)
        lru.insert(2, for: "b", bytes: 4)
        #expect(lru.value(for: "a") == 1) // a is now the most recently used
        #expect(lru.insert(3, for: "c", bytes: 4) == ["b"])
        #expect(lru.value(for: "b") == nil)
        #expect(lru.value(for: "a") == 1 && lru.value(for: "c") == 3)
        #expect(lru.bytes == 8 && lru.count == 2)
    }

    @Test("Replacing a value counts its new size once")
    func replaces() {
        var lru = ByteBoundedLRU<String, Int>(maxBytes: 10)
        lru.insert(1, for: "a", bytes: 6)
        lru.insert(2, for: "a", bytes: 9)
        #expect(lru.bytes == 9 && lru.count == 1 && lru.value(for: "a") == 2)
    }

    @Test("A value larger than the bound is not stored, and removes what it would replace")
    func tooLarge() {
        var lru = ByteBoundedLRU<String, Int>(maxBytes: 10)
        lru.insert(1, for: "a", bytes: 5)
        lru.insert(2, for: "b", bytes: 5)
        #expect(lru.insert(3, for: "a", bytes: 11).isEmpty)
        #expect(lru.value(for: "a") == nil && lru.value(for: "b") == 2 && lru.bytes == 5)
    }

    @Test("Many inserts, reads and removals keep the count, the bytes and the order right", arguments: [1, 2, 3])
    func agreesWithAModel(seed: UInt64) {
        var random = SplitMix(seed: seed)
        var lru = ByteBoundedLRU<Int, Int>(maxBytes: 100)
        var model: [(key: Int, bytes: Int)] = [] // oldest first
        for step in 0 ..< 5_000 {
            let key = Int(random.next() % 40)
            switch random.next() % 3 {
            case 0:
                let bytes = Int(random.next() % 30)
                lru.insert(step, for: key, bytes: bytes)
                model.removeAll { $0.key == key }
                model.append((key, bytes))
                while model.reduce(0, { $0 + $1.bytes }) > 100 { model.removeFirst() }
            case 1:
                let found = lru.value(for: key) != nil
                #expect(found == model.contains { $0.key == key })
                if let position = model.firstIndex(where: { $0.key == key }) { model.append(model.remove(at: position)) }
            default:
                lru.remove(key)
                model.removeAll { $0.key == key }
            }
            #expect(lru.count == model.count && lru.bytes == model.reduce(0) { $0 + $1.bytes })
        }
    }
}

/// A small seeded generator (SplitMix64), so each seed repeats.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
