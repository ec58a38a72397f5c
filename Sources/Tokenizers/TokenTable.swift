/// The byte sequences of an encoding's tokens and their ranks: one byte buffer
/// and an open-addressing index over it, so that a lookup hashes the bytes once
/// and compares them in place, without building keys.
///
/// Each slot packs what a lookup needs into one word (``Slot``): a fingerprint
/// of the hash, the token's length, where its bytes start and its rank. A key
/// that is not a token (half the lookups merging makes) is turned away by the
/// slot alone, and one that is costs one more read, of its bytes: a lookup
/// touches one or two cache lines, not four. (Tests check every lookup against
/// a dictionary of the same vocabulary.)
struct TokenTable: Sendable {
    private var bytes: [UInt8] = []
    /// Per rank: where its bytes start in `bytes`, and how many.
    private(set) var offsets: [UInt32] = []
    private(set) var lengths: [UInt8] = []
    /// ``Slot``s; 0 is empty.
    private var slots: [UInt64]
    /// Rank + 1 of each two-byte token, by its two bytes (0: not a token): the
    /// lookups merging makes most often, answered without hashing.
    private var pairs = [UInt32](repeating: 0, count: 65_536)
    /// The rank of each single byte (-1 until its token is added).
    private var byteRanks = [Int](repeating: -1, count: 256)
    private let mask: Int

    /// A slot's word: fingerprint (16 bits) | length (8) | offset (22) | rank (18).
    enum Slot {
        static let rankBits: UInt64 = 18, offsetBits: UInt64 = 22
        static let largestRank = 1 << rankBits - 1, largestOffset = 1 << offsetBits - 1

        static func pack(fingerprint: UInt64, length: Int, offset: Int, rank: Int) -> UInt64 {
            fingerprint << 48 | UInt64(length) << 40 | UInt64(offset) << rankBits | UInt64(rank)
        }

        /// The fingerprint and length of a slot, in the form ``key(fingerprint:length:)`` makes, to compare at once.
        static func key(of slot: UInt64) -> UInt64 { slot >> 40 }
        static func key(fingerprint: UInt64, length: Int) -> UInt64 { fingerprint << 8 | UInt64(length) }
        static func rank(of slot: UInt64) -> Int { Int(slot & (1 << rankBits - 1)) }
        static func offset(of slot: UInt64) -> Int { Int(slot >> rankBits & (1 << offsetBits - 1)) }
    }

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

    /// Adds the token of `rank` (ranks must come 0, 1, 2, ...); returns false for a duplicate, a gap,
    /// or a vocabulary larger than a slot can address.
    mutating func add(_ token: some Collection<UInt8>, rank: Int) -> Bool {
        guard rank == offsets.count, rank <= Slot.largestRank, !token.isEmpty, token.count <= 255,
              bytes.count + token.count <= Slot.largestOffset else { return false }
        let start = bytes.count
        bytes.append(contentsOf: token)
        guard rankOf(bytes[start...]) == nil else {
            bytes.removeLast(token.count)
            return false
        }
        offsets.append(UInt32(start))
        lengths.append(UInt8(token.count))
        let h = Self.hash(bytes[start...])
        var slot = Self.index(h) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Slot.pack(fingerprint: h >> 48, length: token.count, offset: start, rank: rank)
        if token.count == 2 { pairs[Int(bytes[start]) << 8 | Int(bytes[start + 1])] = UInt32(rank + 1) }
        if token.count == 1 { byteRanks[Int(bytes[start])] = rank }
        return true
    }

    /// The rank of the token whose bytes are `key`, if there is one.
    @inline(__always)
    func rankOf(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        if key.count == 2 {
            let entry = pairs[Int(key[0]) << 8 | Int(key[1])]
            return entry == 0 ? nil : Int(entry - 1)
        }
        guard key.count <= 255, key.count > 0 else { return nil }
        return bytes.withUnsafeBufferPointer { all in
            probe(Self.hash(key), length: key.count) { memcmpEqual(all.baseAddress! + $0, key.baseAddress!, key.count) }
        }
    }

    /// The rank of the token whose bytes are `key`, if there is one (building tables and tests).
    func rankOf(_ key: ArraySlice<UInt8>) -> Int? {
        guard key.count <= 255, !key.isEmpty else { return nil }
        return probe(Self.hash(key), length: key.count) { bytes[$0 ..< $0 + key.count].elementsEqual(key) }
    }

    /// The rank in the slot for hash `h` and `length` whose bytes, at the offset it is given, `match`.
    private func probe(_ h: UInt64, length: Int, match: (Int) -> Bool) -> Int? {
        let wanted = Slot.key(fingerprint: h >> 48, length: length)
        var slot = Self.index(h) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            if Slot.key(of: entry) == wanted && match(Slot.offset(of: entry)) { return Slot.rank(of: entry) }
            slot = (slot + 1) & mask
        }
    }

    /// Whether every byte is a token: what merging starts from.
    var coversEveryByte: Bool { !byteRanks.contains(-1) }

    /// The rank of the token that is `byte` alone.
    func rank(ofByte byte: UInt8) -> Int { byteRanks[Int(byte)] }

    /// The bytes of the token of `rank`.
    func bytes(of rank: Int) -> ArraySlice<UInt8> {
        let start = Int(offsets[rank])
        return bytes[start ..< start + Int(lengths[rank])]
    }

    /// FNV-1a over `key`.
    private static func hash(_ key: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The slot a hash starts probing at (before masking).
    private static func index(_ h: UInt64) -> Int {
        Int(truncatingIfNeeded: h ^ (h >> 29))
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    for i in 0 ..< count where a[i] != b[i] { return false }
    return true
}
