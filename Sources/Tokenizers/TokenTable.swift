/// The byte sequences of an encoding's tokens and their ranks: one byte buffer
/// and an open-addressing index over it, so that a lookup hashes the bytes once
/// and compares them in place, without building keys.
struct TokenTable: Sendable {
    private var bytes: [UInt8] = []
    /// Per rank: where its bytes start in `bytes`, and how many.
    private(set) var offsets: [UInt32] = []
    private(set) var lengths: [UInt8] = []
    /// Slots hold rank + 1; 0 is empty.
    private var slots: [UInt32]
    /// Rank + 1 of each two-byte token, by its two bytes (0: not a token): the
    /// lookups merging makes most often, answered without hashing.
    private var pairs = [UInt32](repeating: 0, count: 65_536)
    private let mask: Int

    init(expectedCount: Int) {
        var capacity = 1
        while capacity < expectedCount * 2 { capacity <<= 1 }
        slots = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        bytes.reserveCapacity(expectedCount * 8)
        offsets.reserveCapacity(expectedCount)
        lengths.reserveCapacity(expectedCount)
    }

    var count: Int { offsets.count }

    /// Adds the token of `rank` (ranks must come 0, 1, 2, ...); returns false for a duplicate or a gap.
    mutating func add(_ token: some Collection<UInt8>, rank: Int) -> Bool {
        guard rank == offsets.count, !token.isEmpty, token.count <= 255 else { return false }
        let start = bytes.count
        bytes.append(contentsOf: token)
        let inserted = bytes.withUnsafeBufferPointer { all in
            rankOf(UnsafeBufferPointer(rebasing: all[start ..< all.count])) == nil
        }
        guard inserted else {
            bytes.removeLast(token.count)
            return false
        }
        offsets.append(UInt32(start))
        lengths.append(UInt8(token.count))
        var slot = Self.hash(bytes, start, token.count) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = UInt32(rank + 1)
        if token.count == 2 { pairs[Int(bytes[start]) << 8 | Int(bytes[start + 1])] = UInt32(rank + 1) }
        return true
    }

    /// The rank of the token whose bytes are `key`, if there is one.
    @inline(__always)
    func rankOf(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        if key.count == 2 {
            let entry = pairs[Int(key[0]) << 8 | Int(key[1])]
            return entry == 0 ? nil : Int(entry - 1)
        }
        guard key.count <= 255 else { return nil }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var slot = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        return bytes.withUnsafeBufferPointer { all in
            while true {
                let entry = slots[slot]
                if entry == 0 { return nil }
                let rank = Int(entry - 1)
                if Int(lengths[rank]) == key.count {
                    let start = Int(offsets[rank])
                    if memcmpEqual(all.baseAddress! + start, key.baseAddress!, key.count) { return rank }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The bytes of the token of `rank`.
    func bytes(of rank: Int) -> ArraySlice<UInt8> {
        let start = Int(offsets[rank])
        return bytes[start ..< start + Int(lengths[rank])]
    }

    private static func hash(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for i in start ..< start + count { h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    for i in 0 ..< count where a[i] != b[i] { return false }
    return true
}
