/// Which two tokens join into which: for every token that splits into two tokens, at every
/// place it does, the pair's ranks and the joined token's rank. Merging only ever joins two
/// tokens, so asking it by ranks answers what asking ``TokenTable`` by the joined bytes would:
/// one probe of one word, with no bytes hashed or compared.
///
/// Each entry is one word: left rank (18 bits) | right rank (18) | joined rank (18) | 1; the
/// table is at most half full. Built once per vocabulary, with it (about 25 ms for cl100k_base,
/// 55 ms for o200k_base). Tests check it against byte lookups of every split of every token.
struct MergeTable: Sendable {
    private var slots: [UInt64]
    private let mask: Int
    private static let bits: UInt64 = 18
    private static let rankMask: UInt64 = 1 << bits - 1

    /// The joins of every token of `tokens` (ranks below 2^18).
    init(_ tokens: TokenTable) {
        var joins: [(left: Int, right: Int, joined: Int)] = []
        joins.reserveCapacity(tokens.count * 3)
        for rank in 0 ..< tokens.count {
            let token = tokens.bytes(of: rank)
            for split in token.indices.dropFirst() {
                guard let left = tokens.rankOf(token[..<split]), let right = tokens.rankOf(token[split...]) else { continue }
                joins.append((left, right, rank))
            }
        }
        var capacity = 1
        while capacity < joins.count * 2 { capacity <<= 1 }
        slots = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        for join in joins {
            let key = UInt64(join.left) << Self.bits | UInt64(join.right)
            var slot = Self.index(key) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = key << (Self.bits + 1) | UInt64(join.joined) << 1 | 1
        }
    }

    /// The rank of the token that the tokens of ranks `left` and `right` join into, if any.
    func joined(_ left: Int, _ right: Int) -> Int? {
        let key = UInt64(left) << Self.bits | UInt64(right)
        var slot = Self.index(key) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            if entry >> (Self.bits + 1) == key { return Int(entry >> 1 & Self.rankMask) }
            slot = (slot + 1) & mask
        }
    }

    private static func index(_ key: UInt64) -> Int {
        let mixed = key &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> 32)
    }
}
