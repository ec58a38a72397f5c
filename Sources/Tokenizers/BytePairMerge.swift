/// Splits one pre-tokenized piece into tokens: a piece that is itself a token
/// is one; otherwise the adjacent pair whose joined bytes have the lowest rank
/// is merged, leftmost on ties, until no pair joins into a token.
struct BytePairMerge {
    /// Boundaries of the parts (byte offsets) and the rank of joining each part
    /// with the next, reused from piece to piece.
    private var starts: [Int] = []
    private var ranks: [Int] = []

    static let none = Int.max

    /// Calls `emit` with each token's rank, in order; returns how many.
    @discardableResult
    mutating func encode(_ piece: UnsafeBufferPointer<UInt8>, _ table: TokenTable, emit: (Int) -> Void) -> Int {
        if let rank = table.rankOf(piece) {
            emit(rank)
            return 1
        }
        let count = piece.count
        starts.removeAll(keepingCapacity: true)
        ranks.removeAll(keepingCapacity: true)
        for i in 0 ... count { starts.append(i) }
        func rank(from part: Int, through next: Int) -> Int {
            // The rank of parts `part` ... `next` joined, or none.
            guard next + 1 < starts.count else { return Self.none }
            return table.rankOf(UnsafeBufferPointer(rebasing: piece[starts[part] ..< starts[next + 1]])) ?? Self.none
        }
        for i in 0 ..< count { ranks.append(i + 1 < count ? rank(from: i, through: i + 1) : Self.none) }
        ranks.append(Self.none)
        while true {
            var best = Self.none, at = -1
            for i in 0 ..< ranks.count - 1 where ranks[i] < best {
                best = ranks[i]
                at = i
            }
            if at < 0 { break }
            // Join part `at` with `at + 1`, then re-rank the joins on either side.
            starts.remove(at: at + 1)
            ranks.remove(at: at + 1)
            ranks[at] = rank(from: at, through: at + 1)
            if at > 0 { ranks[at - 1] = rank(from: at - 1, through: at) }
        }
        for i in 0 ..< starts.count - 1 {
            emit(table.rankOf(UnsafeBufferPointer(rebasing: piece[starts[i] ..< starts[i + 1]]))!)
        }
        return starts.count - 1
    }
}
